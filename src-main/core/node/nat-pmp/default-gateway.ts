/**
 * The default gateway's IPv4 address, where a NAT-PMP client sends its requests (RFC 6886 §3: "the client sends its
 * request to the default gateway"). Linux only: read from the kernel's routing table, `/proc/net/route` (proc(5)).
 * On other platforms no gateway is found and NAT-PMP is not tried (docs/CONNECTIVITY.md §8).
 */
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'

/** Route flags of `/proc/net/route` (linux/route.h): the route is up, and goes through a gateway. */
const RTF_UP = 0x1
const RTF_GATEWAY = 0x2

/**
 * The IPv4 gateway of the default route in the text of `/proc/net/route`: the row whose destination and mask are
 * 0.0.0.0, flagged up and through a gateway, with the lowest metric. The kernel prints each address as the 32-bit
 * value in memory in hex, so on a little-endian host `0101A8C0` is 192.168.1.1 (`littleEndian`, default: this host).
 * Undefined when there is no such row; rows that do not parse are skipped.
 */
export function parseDefaultGateway (procNetRoute: string, littleEndian = endianness() === 'LE'): string | undefined {
  let best: { ip: string, metric: number } | undefined
  for (const line of procNetRoute.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 8) continue
    const [, destination, gateway, flagsHex, , , metricText, mask] = cols
    const flags = Number.parseInt(flagsHex ?? '', 16)
    const metric = Number.parseInt(metricText ?? '', 10)
    if (destination !== '00000000' || mask !== '00000000' || Number.isNaN(flags) || Number.isNaN(metric)) continue
    if ((flags & (RTF_UP | RTF_GATEWAY)) !== (RTF_UP | RTF_GATEWAY)) continue
    const ip = hexToIPv4(gateway ?? '', littleEndian)
    if (ip == null || ip === '0.0.0.0') continue
    if (best == null || metric < best.metric) best = { ip, metric }
  }
  return best?.ip
}

function hexToIPv4 (hex: string, littleEndian: boolean): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined
  const bytes = [0, 2, 4, 6].map(i => Number.parseInt(hex.slice(i, i + 2), 16))
  return (littleEndian ? bytes.reverse() : bytes).join('.')
}

/**
 * The default gateway's IPv4 address on this host (Linux: {@link parseDefaultGateway} of `/proc/net/route`);
 * undefined on other platforms, without a default route, or when the table cannot be read.
 */
export async function defaultGatewayIPv4 (): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined
  try {
    return parseDefaultGateway(await readFile('/proc/net/route', 'utf8'))
  } catch {
    return undefined
  }
}
