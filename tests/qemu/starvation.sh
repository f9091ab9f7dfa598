#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starvation: a domain that does every bad thing at once must not cost a
# real-time domain's CPU anything, and must not hang the hypervisor.
# "atk" (CPU 0, the boot CPU) runs test=starve for 10 s: in rapid rotation,
# aborting accesses (64-bit reads of the emulated UART, reads past its RAM),
# unknown HVC IDs, rings of the doorbell of its channel to rt (the policy
# allows notify; rt never enables that doorbell, so a ring must cost rt's
# CPU nothing), a console flood, and IROUTER/ITARGETSR rewrites of its own
# passed-through SPI (QEMU virt's PL061) to no vCPU, raised and then taken.
# "rt" (CPU 1) runs its 1 ms periodic task for 8000 periods. In the middle,
# Ctrl-A u makes the UART stop draining for 3 s, then drain again; Ctrl-A s
# must still be answered under attack. Checks: rt finishes and its own
# lost-tick detector passes; the per-CPU exit accounting printed when rt
# powers off shows on CPU 1 only exits rt caused; atk's reports stay
# rate-limited; the run ends by itself (no domain left running) well within
# its timeout, with no hypervisor exception.
# A domain with a device has IPA = PA and the test guest runs only at the
# start of RAM: atk gets memory-base 0x40000000, and the hypervisor is booted
# through U-Boot, with ACPI off so that QEMU keeps the PL061 (see spi-route.sh).
# timeout: 200
. "$(dirname "$0")/common.sh"
RT_PERIODS=8000
ATK_MS=10000
# mkcfg EXTRA: the config, EXTRA added to the channel's properties.
mkcfg() {
	cat >"$W/cfg.dts" <<DTS
/dts-v1/;
/ { bulkhead {
	atk: domain@0 { label = "atk"; type = "atk_t"; cpus = <0>;
		memory-base = <0x0 0x40000000>; memory-size = <0x0 0x400000>;
		kernel = "testguest.bin"; bootargs = "test=starve periods=$ATK_MS";
		devices = "/pl061@9030000"; };
	rt: domain@1 { label = "rt"; type = "rt_t"; cpus = <1>; memory-size = <0x0 0x800000>;
		kernel = "testguest.bin"; bootargs = "test=rt periods=$RT_PERIODS"; };
	channel@0 { between = <&atk &rt>; size = <0x1000>; $1 };
	policy { allow = "atk_t rt_t : channel { notify }"; };
}; };
DTS
}

# cpu_line LOG AFTER_REGEX CPU: the first statistics line of CPU after a line
# matching AFTER_REGEX, with its continuation lines joined.
cpu_line() {
	tr -d '\r' <"$1" | awk -v after="$2" -v cpu="$3" '
		$0 ~ after { f = 1; next }
		f && s != "" && /^      [^ ]/ { sub(/^ +/, " "); s = s $0; next }
		f && s != "" { print s; done = 1; exit }
		f && index($0, "  CPU " cpu " [") == 1 { s = $0 }
		END { if (!done && s != "") print s }'
}

# GICv3: every ring goes through (coalescing alone must protect rt);
# GICv2: the channel also has a max-notify-rate, and the excess is refused.
RATE=1000
for gic in 3 2; do
	if [ $gic = 3 ]; then
		echo "case: GICv$gic"
		mkcfg ""
	else
		echo "case: GICv$gic, max-notify-rate = <$RATE>"
		mkcfg "max-notify-rate = <$RATE>;"
	fi
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 2
	log=$W/log$gic
	t0=$SECONDS
	# Once rt has run 1000 periods: the UART stalls for 3 s, then drains;
	# 1 s later the statistics are asked for, mid-attack.
	BH_IN=/dev/stdin chat "$log" 80 \
		"^\[rt\] TESTGUEST: rt: 1000 periods" '\001u' "@3" '\001u' "@1" '\001s' \
		-- bh_boot uboot "$W/img$gic" /dev/stdout 80 $gic cortex-a57 2 -machine acpi=off
	rc=$?
	secs=$((SECONDS - t0))
	if [ $rc -eq 0 ] && grep -q "^bulkhead: no domain left running: powering off" "$log"; then
		echo "  ok: the run ended by itself in $secs s"
	else
		echo "  FAIL: the run did not end by itself (QEMU status $rc after $secs s)"
		FAILS=$((FAILS + 1))
	fi
	expect "$log" "^\[rt\] TESTGUEST: rt: done $RT_PERIODS periods" "rt ran all its periods"
	expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt passed (no tick lost, none early)"
	worst=$(grep -ao "rt: done [0-9]* periods, worst lateness [0-9]* us" "$log" | grep -o "[0-9]* us$")
	echo "  rt's worst lateness: ${worst:-no report} (reported, not asserted: QEMU is not real-time)"
	expect "$log" "^\[atk\] TESTGUEST: PASS starve" "atk's attacks all ran and were refused as they should"
	sed -n 's/^\[atk\] TESTGUEST: \(starve: [0-9]* rounds.*\)/  \1/p' "$log" | tr -d '\r'
	read -r rings busy < <(sed -n 's/.*starve: .* \([0-9]*\) notifies (\([0-9]*\) busy).*/\1 \2/p' "$log")
	if [ $gic = 3 ] && [ "${rings:-0}" -gt 0 ] && [ "$busy" -eq 0 ]; then
		echo "  ok: all $rings rings of rt's doorbell went through"
	elif [ $gic = 2 ] && [ "${busy:-0}" -gt 0 ] && [ $((rings - busy)) -le $((RATE * (secs + 2))) ]; then
		echo "  ok: $((rings - busy)) of $rings rings went through (rate $RATE/s), $busy refused with BUSY"
	else
		echo "  FAIL: rings of rt's doorbell: ${rings:-none}, ${busy:-?} busy"; FAILS=$((FAILS + 1))
	fi
	expect "$log" "^bulkhead: console UART stalled on purpose" "Ctrl-A u stalled the UART"
	expect "$log" "^bulkhead: console UART drains again" "and Ctrl-A u again made it drain"
	for n in 2000 4000 6000; do
		expect "$log" "^\[rt\] TESTGUEST: rt: $n periods" "rt's report at $n periods is on the console"
	done
	# atk says how many flood lines it printed; if fewer reached the console
	# (the stall dropped some), the loss must be reported. Whether the flood
	# overlaps the stall depends on the host's timing.
	made=$(sed -n 's/.*TESTGUEST: starve: .* \([0-9]*\) console lines.*/\1/p' "$log" | tail -1)
	shown=$(grep -c '^\[atk\] TESTGUEST: flood: line' "$log")
	if [ -z "$made" ]; then echo "  FAIL: atk did not say how many lines it printed"; FAILS=$((FAILS + 1))
	elif [ "$shown" -lt "$made" ]; then
		expect "$log" "^bulkhead: domain atk: [0-9]+ bytes of console output lost" \
			"atk's lost output ($shown of $made lines shown) is reported"
	else echo "  ok: atk lost no line ($shown of $made shown): nothing to report"; fi
	expect_not "$log" "^bulkhead: domain rt: [0-9]+ bytes of console output lost" "rt lost no output"
	if awk '/exits per CPU/ { s = 1 } /^bulkhead: domain rt powered off/ { exit !s } END { exit !s }' "$log"; then
		echo "  ok: Ctrl-A s answered mid-attack"
	else echo "  FAIL: no statistics before rt powered off (Ctrl-A s unanswered)"; FAILS=$((FAILS + 1)); fi

	# The statistics printed when rt powers off, found after rt's own last
	# line (never lost) rather than the hypervisor's "powered off" message:
	# a host too loaded to drain the emulated UART for 50 ms makes the
	# console drop hypervisor messages (counted and reported) meanwhile.
	line=$(cpu_line "$log" "^\[rt\] TESTGUEST: PASS rt" 1)
	echo "  rt's CPU: ${line# }"
	causes=$(tr ' ' '\n' <<<"$line" | grep '=' | cut -d= -f1 | sort -u | tr '\n' ' ')
	if [ -n "$line" ] && [ "$causes" = "rt " ] && grep -q "timer rt=" <<<"$line"; then
		echo "  ok: every exit on rt's CPU was caused by rt itself"
	else
		echo "  FAIL: exits on rt's CPU caused by: '$causes'"; FAILS=$((FAILS + 1))
	fi

	# atk's reports (aborts, unknown calls) share its rate limit: a burst of
	# 8, then 2 a second; each suppressed one is counted in a summary line.
	# The run's wall time bounds the guest's (its counter follows the host's).
	# Besides: lost console output at most once a second, and a few lines of
	# its life (boot, power-off).
	tr -d '\r' <"$log" >"$W/clean$gic"
	rep=$(grep -Ec "^bulkhead: domain atk( vCPU 0 \(CPU 0\)|: unknown SMC/HVC)" "$W/clean$gic")
	sup=$(sed -n 's/^bulkhead: domain atk: \([0-9]*\) more reports suppressed.*/\1/p' "$W/clean$gic" |
		awk '{t += $1} END {print t + 0}')
	all=$(grep -c "^bulkhead: domain atk" "$W/clean$gic")
	tried=$(sed -n 's/.*starve: [0-9]* rounds in [0-9]* ms: \([0-9]*\) bad accesses, \([0-9]*\) reads past RAM, \([0-9]*\) unknown HVCs.*/\1 \2 \3/p' \
		"$W/clean$gic" | awk '{print $1 + $2 + $3}')
	max=$((8 + 2 * (secs + 1)))
	echo "  atk's reports: $rep printed, $sup suppressed, of ${tried:-?} bad operations; $all lines in all"
	if [ "$rep" -ge 1 ] && [ "$rep" -le $max ] && [ "$all" -le $((2 * max + secs + 5)) ]; then
		echo "  ok: atk's reports are rate-limited ($rep, at most $max; $all lines in all)"
	else
		echo "  FAIL: atk's reports: $rep (want 1..$max), $all lines in all"; FAILS=$((FAILS + 1))
	fi
	# While the UART was stalled, a summary line may have been among the
	# hypervisor's lost messages: then the sum can only fall short.
	if [ -n "$tried" ] && { [ $((rep + sup)) -eq "$tried" ] ||
		{ [ $((rep + sup)) -lt "$tried" ] && grep -q "bytes of hypervisor messages lost" "$W/clean$gic"; }; }; then
		echo "  ok: printed + suppressed accounts for the bad operations ($((rep + sup)) of $tried)"
	else
		echo "  FAIL: printed ($rep) + suppressed ($sup) is not the ${tried:-?} bad operations"
		FAILS=$((FAILS + 1))
	fi
	expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
done
finish
