# SPDX-License-Identifier: Apache-2.0
# Reboot once: the hypervisor counts restarts in /chosen/bulkhead,restarts.
n=$(od -An -tu1 /proc/device-tree/chosen/bulkhead,restarts | awk '{ print $4 }')
echo "restart count $n"
if [ "$n" = 0 ]; then
	echo "BULKHEAD-REBOOTING"
	reboot -f
fi
