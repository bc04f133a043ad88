/**
 * Invariant: the NAT-PMP client's gateway is the default route's gateway in Linux's /proc/net/route — destination and
 * mask 0.0.0.0, flagged up and through a gateway, lowest metric first — with addresses read in the host's byte order;
 * routes without a gateway, other destinations, and lines that do not parse are skipped, and a table without a default
 * route gives none.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseDefaultGateway } from '../../src-main/core/node/nat-pmp/index.ts'

const HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       '
const table = (...rows: string[]): string => [HEADER, ...rows.map(r => `${r}                                                                               `)].join('\n') + '\n'

describe('default gateway from /proc/net/route', () => {
  it('reads the default route of a little-endian host (as printed on x86: 0101A8C0 is 192.168.1.1)', () => {
    const text = table(
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0'
    )
    assert.equal(parseDefaultGateway(text, true), '192.168.1.1')
  })

  it('reads the same bytes in network order on a big-endian host', () => {
    assert.equal(parseDefaultGateway(table('eth0\t00000000\tC0A80101\t0003\t0\t0\t0\t00000000\t0\t0\t0'), false), '192.168.1.1')
  })

  it('picks the default route with the lowest metric', () => {
    const text = table(
      'wlan0\t00000000\t0100000A\t0003\t0\t0\t600\t00000000\t0\t0\t0',
      'eth0\t00000000\t01020A0A\t0003\t0\t0\t100\t00000000\t0\t0\t0'
    )
    assert.equal(parseDefaultGateway(text, true), '10.10.2.1')
  })

  it('skips default routes that are down or have no gateway, and lines that do not parse', () => {
    const text = table(
      'tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0',
      'eth1\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0',
      'eth2\t00000000\tZZZZZZZZ\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'garbage',
      'eth3\t00000000\t0163A8C0\t0003\t0\t0\t50\t00000000\t0\t0\t0'
    )
    assert.equal(parseDefaultGateway(text, true), '192.168.99.1')
  })

  it('gives none without a default route, and for an empty table', () => {
    assert.equal(parseDefaultGateway(table('eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0'), true), undefined)
    assert.equal(parseDefaultGateway(HEADER + '\n', true), undefined)
    assert.equal(parseDefaultGateway('', true), undefined)
  })
})
