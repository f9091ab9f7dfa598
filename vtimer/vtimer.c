/* SPDX-License-Identifier: Apache-2.0 */
/* Guest timers: counter offset per domain, PPI forwarding (see vtimer.h). */
#include "arch-arm64/sysreg.h"
#include "common/domain.h"
#include "gic/vgic.h"
#include "vtimer/vtimer.h"

void vtimer_domain_start(struct domain *d)
{
	d->arch.cntvoff = arch_counter();
}

void vtimer_vcpu_reset(struct vcpu *v)
{
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, 0);
	write_sysreg(cntvoff_el2, v->dom->arch.cntvoff);
	isb();
}

/* Each tick straight into a list register when the vGIC allows (nothing
 * else changed or waits, the last tick done): no model change, so no sync
 * and flush on the way back in. Else through the model. */
void vtimer_fire(struct vcpu *v, unsigned intid)
{
	if (!vgic_list_hw_now(v, intid, intid))
		vgic_inject_hw(v, intid, intid);
}
