# SPDX-License-Identifier: Apache-2.0
# What this domain's DT holds: CPUs, memory, devices.
echo "dt-cpus: $(ls -d /proc/device-tree/cpus/cpu@* | wc -l)"
for m in /proc/device-tree/memory@*; do echo "dt-memory: ${m##*/} $(od -An -tx1 "$m/reg" | tr -d ' \n')"; done
for n in /proc/device-tree/*; do echo "dt-node: ${n##*/}"; done
