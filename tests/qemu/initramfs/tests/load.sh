# SPDX-License-Identifier: Apache-2.0
# CPU and memory load on every CPU for a few seconds, then reboot once
# (the restart count comes from /chosen/bulkhead,restarts), then power off.
n=$(od -An -tu1 /proc/device-tree/chosen/bulkhead,restarts | awk '{ print $4 }')
echo "load: boot $n"
for c in 1 2; do
	(i=0; while [ $i -lt 40000 ]; do i=$((i + 1)); done) &
	(dd if=/dev/zero of=/dev/null bs=1M count=400 2>/dev/null) &
done
wait
echo "load: done"
if [ "$n" = 0 ]; then
	reboot -f
fi
