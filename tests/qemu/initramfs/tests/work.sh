# SPDX-License-Identifier: Apache-2.0
# bhtest=work: a CPU+memory workload for make bench (tests/bench/run.sh),
# busybox only and deterministic. First the same report as bhtest=report
# (so this run minus the report run is the workload), then two jobs, each
# 16 MiB of text (seq's output, 22 times) written into the initramfs's RAM
# and checksummed three times: md5sum, md5sum through a dd pipe, sha256sum.
# One job after the other; with bhwork=both on the command line the two at
# once (both CPUs). The jobs must agree with each other and themselves; then
# BULKHEAD-WORK-DONE with the sums (the bench compares the md5 with the
# host's) and back to /init, which powers off as for report.
uname -a
echo "cpus online: $(cat /sys/devices/system/cpu/online)"
cat /proc/interrupts
job() { # job N: writes /work-N.sums
	seq 1 120000 >/work-$1.seed
	i=0
	while [ $i -lt 22 ]; do cat /work-$1.seed; i=$((i + 1)); done >/work-$1
	{
		md5sum </work-$1
		dd if=/work-$1 bs=64k 2>/dev/null | md5sum
		sha256sum </work-$1
	} >/work-$1.sums
	rm -f /work-$1 /work-$1.seed
}
if grep -qw bhwork=both /proc/cmdline; then
	job 1 &
	job 2 &
	wait
else
	job 1
	job 2
fi
a=$(cat /work-1.sums) b=$(cat /work-2.sums)
set -- $a
if [ "$a" = "$b" ] && [ "$1" = "$3" ] && [ -n "$5" ]; then
	echo "BULKHEAD-WORK-DONE md5=$1 sha256=$5"
else
	echo "work: the checksums differ: [$a] [$b]"
fi
rm -f /work-1.sums /work-2.sums
