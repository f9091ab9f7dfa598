# SPDX-License-Identifier: Apache-2.0
# Load virtio-mmio and virtio-blk (modules from the same kernel package) and
# read the marker the test wrote at the start of the disk.
for m in /lib/modules/*/virtio_mmio.ko /lib/modules/*/virtio_blk.ko; do
	[ -f "$m" ] && insmod "$m" 2>&1
done
sleep 1
ls /sys/bus/virtio/devices/ 2>/dev/null | sed 's/^/virtio-device: /'
if [ -b /dev/vda ]; then
	echo "disk-says: $(head -c 64 /dev/vda | tr -d '\0')"
else
	echo "no /dev/vda"
fi
