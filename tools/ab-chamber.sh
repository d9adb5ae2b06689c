#!/usr/bin/env bash
# Two builds of the chamber benchmark against each other: ten alternating pairs on SQLite and on
# PostgreSQL, the side that runs first alternating each round, so that drift of the machine falls
# on both. Usage: tools/ab-chamber.sh BEFORE_DIR AFTER_DIR OUT_DIR [POSTGRES_URL_WITHOUT_DB]
# Each *_DIR holds the release `lianxin` and `lianxin-bench` of one commit (the harness starts the
# `lianxin` beside it). A run that fails is named in OUT_DIR/fail; its side must be discarded.
set -u
before=$1 after=$2 out=$3 pg=${4:-}
ulimit -n 8192 # 500 phones hold 500 connections
mkdir -p "$out"
for r in $(seq 1 10); do
  if [ $((r % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
  for side in $order; do
    dir=$before; [ "$side" = after ] && dir=$after
    "$dir/lianxin-bench" chamber --members 500 --votes 10 --ballots 1000 \
      > "$out/sqlite_${side}_$r.txt" 2>&1 || echo "sqlite $side $r" >> "$out/fail"
    if [ -n "$pg" ]; then
      psql "$pg/postgres" -qc "CREATE DATABASE ab_${side}_$r" >/dev/null
      "$dir/lianxin-bench" chamber --members 500 --votes 10 --ballots 1000 \
        --database-url "$pg/ab_${side}_$r" > "$out/pg_${side}_$r.txt" 2>&1 || echo "pg $side $r" >> "$out/fail"
      psql "$pg/postgres" -qc "DROP DATABASE ab_${side}_$r" >/dev/null
    fi
  done
done
grep -H "durable ballots/s" "$out"/*.txt
