# SPDX-License-Identifier: Apache-2.0
# An interactive shell on the console (input through the hypervisor).
echo "BULKHEAD-SHELL-READY"
setsid cttyhack sh
