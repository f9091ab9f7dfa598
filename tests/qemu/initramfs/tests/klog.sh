# SPDX-License-Identifier: Apache-2.0
# The whole kernel log with each line's level (<N>), for the test that
# compares a boot under Bulkhead with the same kernel booted natively.
echo "KLOG-BEGIN"
dmesg -r | sed 's/^/KLOG /'
echo "KLOG-END"
