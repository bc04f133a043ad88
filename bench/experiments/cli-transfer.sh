#!/bin/bash
# Experiment helper (docs/PERFORMANCE.md, second session): one `ferry receive --once` and one `ferry send` over direct
# TCP on 127.0.0.1, by hand, outside the bench — for CPU profiles and A/B runs of copies of the repository.
#
#   bench/experiments/cli-transfer.sh <repo dir> <MiB | files> <work dir>
#
# <MiB>: one random file of that size; `files`: 3,000 random files of 4 KiB in 20 folders. Prints the receiver's
# transferMs and the sender's CPU time. Set PROFRX / PROFTX to extra node options for the receiver / sender, e.g.
# PROFRX="--cpu-prof --cpu-prof-dir=/tmp/p/rx". The work dir is emptied first and left for inspection.
set -e
R=$1; SZ=$2; OUT=$3
rm -rf "$OUT"; mkdir -p "$OUT/src" "$OUT/rx" "$OUT/tx" "$OUT/out"
N=$R/node_modules/.bin/node
if [ "$SZ" = files ]; then
  $N -e 'const fs=require("node:fs"),c=require("node:crypto");for(let i=0;i<3000;i++){const d=process.argv[1]+"/many/d"+String(i%20).padStart(3,"0");fs.mkdirSync(d,{recursive:true});fs.writeFileSync(d+"/f"+i+".bin",c.randomBytes(4096))}' "$OUT/src"
  SRCP=$OUT/src/many
else
  head -c $((SZ*1024*1024)) /dev/urandom > "$OUT/src/big.bin"; SRCP=$OUT/src/big.bin
fi
export FERRY_RELAYS=none FERRY_ICE_SERVERS=none FERRY_MDNS=off FERRY_UPNP=off
# shellcheck disable=SC2086
$N $PROFRX "$R/bin/ferry.js" receive --data-dir "$OUT/rx" --out "$OUT/out" --yes --once --relay none --ice-servers none --listen /ip4/127.0.0.1/tcp/0 --json > "$OUT/rx.log" 2>&1 &
RX=$!
for _ in $(seq 50); do grep -q '"ready"' "$OUT/rx.log" && break; sleep 0.2; done
ADDR=$(grep '"ready"' "$OUT/rx.log" | grep -o '/ip4/127.0.0.1/tcp/[0-9]*/p2p/[A-Za-z0-9]*' | head -1)
# shellcheck disable=SC2086
/usr/bin/time -f "sender CPU %U user %S system, %e s wall" $N $PROFTX "$R/bin/ferry.js" send --to "$ADDR" --data-dir "$OUT/tx" --relay none --ice-servers none --json "$SRCP" > "$OUT/tx.log" 2> "$OUT/tx.err"
wait $RX
grep -o '"transferMs":[0-9]*' "$OUT/rx.log" | head -1; tail -1 "$OUT/tx.err"
