#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Channels and policy: three bare-metal domains. ping and pong exchange 50
# messages through their channel's shared memory, each ringing the other's
# doorbell with BH_HC_CHANNEL_NOTIFY (the policy allows it both ways); ping
# may query pong but not restart it, and may query and restart deny; deny's
# every call on others is DENIED (no rule names its type), and ping restarts
# it. Ids that name no domain are DENIED like hidden ones (deny tries ids
# 0-7: existing and missing ids must answer alike). GICv2 and GICv3.
# timeout: 300
. "$(dirname "$0")/common.sh"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		ping: domain@0 {
			label = "ping"; type = "a_t"; cpus = <0>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=chan role=ping";
		};
		pong: domain@1 {
			label = "pong"; type = "b_t"; cpus = <1>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=chan role=pong";
		};
		deny: domain@2 {
			label = "deny"; type = "c_t"; cpus = <2>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=chan role=deny";
		};
		channel@0 { between = <&ping &pong>; size = <0x10000>; };
		channel@1 { between = "ping", "deny"; size = <0x1000>; };
		policy {
			allow = "a_t b_t : channel { notify }", "b_t a_t : channel { notify }",
				"a_t b_t : domain { query }", "a_t c_t : domain { query restart }";
		};
	};
};
DTS
for gic in 3 2; do
	echo "case: GICv$gic, 3 domains, 2 channels"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 4
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 60 $gic cortex-a57 4
	expect "$log" "^\[ping\] TESTGUEST: chan: 50 round trips with pong" "50 messages each way through shared memory and doorbells"
	expect "$log" "^\[pong\] TESTGUEST: PASS chan" "pong answered every round"
	expect "$log" "^\[deny\] TESTGUEST: chan: notify -3, query ping -3, restart ping -3, query self 0" "deny's calls on others DENIED, its own query allowed"
	expect "$log" "^\[deny\] TESTGUEST: chan: ids 0-7 but its own: query and restart all DENIED" "existing and missing ids answer alike: no listing of ids"
	expect "$log" "^bulkhead: domain ping restarts domain deny \(policy: a_t c_t : domain \{ restart \}\)" "the hypervisor says who restarted whom, under which rule"
	expect "$log" "^\[deny\] TESTGUEST: chan: restarted by a peer \(1 restart" "deny came back after the restart"
	expect "$log" "^\[ping\] TESTGUEST: PASS chan" "ping's checks (INVALID ids, DENIED restart of pong) pass"
	expect "$log" "^bulkhead: no domain left running" "every domain powered off"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
done
finish
