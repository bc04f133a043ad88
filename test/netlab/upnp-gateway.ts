/**
 * A real UPnP Internet Gateway Device on a lab router: Debian's `miniupnpd` (nftables backend), run in the foreground
 * (`-d`) inside the router's namespace with a config file written here — SSDP and SOAP (and NAT-PMP on UDP 5351) only
 * on the LAN side (`lan0`), mappings made on the WAN side (`wan0`) — and stopped by {@link UpnpGateway.stop}. With
 * `protocols: 'nat-pmp'` it speaks NAT-PMP only (`enable_upnp=no`): no SSDP answer, no HTTP.
 *
 * The router's external address: UPnP daemons and libp2p both refuse to map behind an address in a reserved range (the
 * lab's "internet", TEST-NET-3, is one: miniupnpd's `addr_is_reserved`, `@libp2p/upnp-nat`'s double-NAT check), so
 * the router gets a second, public-looking address {@link UPNP_EXTERNAL_IP} on `wan0` (`ext_ip`), and the other lab
 * routers a route to it through the router's TEST-NET-3 address. The lab is sealed (no link to the root namespace), so
 * nothing is ever sent to the real holder of that address.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { inNs, ipIn, iptablesIn } from './netns.ts'

/** The UPnP router's public address (see the module comment). */
export const UPNP_EXTERNAL_IP = '11.0.113.12'

/** The nftables tables and chains miniupnpd 2.3 adds its rules to (its defaults: table `filter`, family inet). */
const NFT_RULESET = `table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`

/** A running miniupnpd. */
export interface UpnpGateway {
  /** Everything miniupnpd printed. */
  readonly log: () => string
  /** The port forwards in force now: the DNAT rules of miniupnpd's chain, one line each (empty: none). */
  forwards: () => Promise<string[]>
  /** The mappings miniupnpd's lease file records (`TCP:<ext port>:<internal ip>:<port>:<expiry>:<description>`). */
  leases: () => Promise<string[]>
  /** Stops miniupnpd (SIGTERM, then SIGKILL after 3 s). */
  stop: () => Promise<void>
}

/**
 * Makes lab router `router` (with `wan0` and `lan0`, hosts on `lanSubnet`) a UPnP-IGD with external address
 * {@link UPNP_EXTERNAL_IP}, and routes that address from `otherRouters` via the router's TEST-NET-3 address `wanIp`.
 * Files go into `dir`. Resolves once miniupnpd listens (on HTTP; with `protocols: 'nat-pmp'`, on UDP 5351).
 */
export async function startUpnpGateway (router: string, init: { wanIp: string, lanSubnet: string, otherRouters: string[], dir: string, protocols?: 'upnp+nat-pmp' | 'nat-pmp' }): Promise<UpnpGateway> {
  const upnp = init.protocols !== 'nat-pmp'
  await ipIn(router, ['addr', 'add', `${UPNP_EXTERNAL_IP}/32`, 'dev', 'wan0'])
  for (const other of init.otherRouters) await ipIn(other, ['route', 'add', `${UPNP_EXTERNAL_IP}/32`, 'via', init.wanIp])
  // The lab router's FORWARD policy drops what is not a reply: let the forwards miniupnpd makes (DNAT) through.
  await iptablesIn(router, ['-I', 'FORWARD', '1', '-i', 'wan0', '-o', 'lan0', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'])
  const rules = join(init.dir, 'miniupnpd.nft')
  await writeFile(rules, NFT_RULESET)
  await inNs(router, 'nft', ['-f', rules])
  const leaseFile = join(init.dir, 'miniupnpd.leases')
  const config = join(init.dir, 'miniupnpd.conf')
  await writeFile(config, [
    'ext_ifname=wan0',
    `ext_ip=${UPNP_EXTERNAL_IP}`,
    'listening_ip=lan0',
    'http_port=0',
    `enable_upnp=${upnp ? 'yes' : 'no'}`,
    'enable_natpmp=yes',
    'secure_mode=yes',
    'system_uptime=yes',
    `lease_file=${leaseFile}`,
    'uuid=6f1b3a52-5e0c-4a43-9d2c-5a1f0e7c1d11',
    `allow 1024-65535 ${init.lanSubnet} 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    ''
  ].join('\n'))
  let output = ''
  const child: ChildProcess = spawn('ip', ['netns', 'exec', router, 'miniupnpd', '-d', '-f', config, '-P', join(init.dir, 'miniupnpd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { output += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { output += s })
  const stop = async (): Promise<void> => {
    if (child.exitCode != null || child.signalCode != null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    await Promise.race([exited, sleep(3000)])
    if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
  }
  const deadline = Date.now() + 10_000
  const started = upnp ? /HTTP listening on port \d+/ : /Listening for NAT-PMP\/PCP traffic on port \d+/
  while (!started.test(output)) {
    if (child.exitCode != null || Date.now() > deadline) {
      await stop()
      throw new Error(`miniupnpd did not start: ${output}`)
    }
    await sleep(50)
  }
  return {
    log: () => output,
    forwards: async () => (await inNs(router, 'nft', ['list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd']))
      .split('\n').map(l => l.trim()).filter(l => l.includes('dnat')),
    leases: async () => (await readFile(leaseFile, 'utf8').catch(() => '')).split('\n').filter(l => l.trim() !== ''),
    stop
  }
}
