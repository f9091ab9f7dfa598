# SPDX-License-Identifier: Apache-2.0
# CPUs online; timer interrupts and rescheduling IPIs must be counted.
echo "cpus online: $(cat /sys/devices/system/cpu/online)"
sample() {
	t=$(grep -E 'arch_timer' /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print s }' | head -1)
	r=$(grep -E '^ *IPI0:' /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print s }')
	echo "sample$1 timer=$t resched=$r"
}
sample 1
# Work on every CPU so the scheduler sends rescheduling IPIs.
for i in 1 2 3 4; do (i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done) & done
sleep 1
wait
sample 2
