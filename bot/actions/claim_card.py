"""Turning a claim into the status answer: readable text plus a timeline card payload."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.actions import messages as m
from claims.repository import ClaimSummary, ClaimView
from claims.stages import Stage


def when(at: datetime | None) -> str:
    """Formats a time the way customers read it: 2026年11月2日 14:05."""
    if at is None:
        return ""
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def day(at: datetime) -> str:
    """Formats a date: 2026年11月2日."""
    return f"{at.year}年{at.month}月{at.day}日"


def money(amount: Decimal | None) -> str:
    """Formats yuan with thousands separators: 12,345.60."""
    return f"{amount:,.2f}" if amount is not None else ""


def status_text(claim: ClaimView) -> str:
    """Writes the status answer: stage, since when, what is missing, next step, amounts."""
    lines = [
        m.STATUS_HEADER.format(
            claim_number=claim.claim_number,
            product=claim.product_line,
            cause=claim.cause,
            stage=claim.stage_label,
            since=when(claim.stage_since),
        ),
        claim.meaning,
    ]
    if claim.missing_documents:
        lines.append(m.STATUS_MISSING.format(documents="、".join(claim.missing_documents)))
    if claim.amount_approved and claim.stage != Stage.REJECTED.value:
        lines.append(m.STATUS_APPROVED.format(amount=money(claim.amount_approved)))
    for payment in claim.payments:
        lines.append(
            m.STATUS_PAYMENT.format(
                amount=money(payment.amount),
                when=f"于{day(payment.paid_at)}" if payment.paid_at else "",
                method=payment.method,
                account=payment.account_masked,
                status=payment.status,
            )
        )
    if claim.rejection_reason:
        lines.append(m.STATUS_REJECTED.format(reason=claim.rejection_reason))
    lines.append(m.STATUS_NEXT.format(next_step=claim.next_step))
    if claim.time_limit:
        lines.append(m.STATUS_LIMIT.format(time_limit=claim.time_limit))
    # No phone here: its last four digits are the verification answer, and a reply may be
    # seen by others (a screenshot, a shared device). Agents see it in their console.
    lines.append(m.STATUS_CONTACT.format(name=claim.claimant_masked))
    return "\n".join(lines)


def status_payload(claim: ClaimView) -> dict[str, Any]:
    """Builds the `custom` payload the web page and agents' console draw a timeline from."""
    return {
        "type": "claim_status",
        "claim_number": claim.claim_number,
        "policy_number": claim.policy_number,
        "product_line": claim.product_line,
        "cause": claim.cause,
        "stage": claim.stage,
        "stage_label": claim.stage_label,
        "stage_since": claim.stage_since.isoformat(),
        "meaning": claim.meaning,
        "next_step": claim.next_step,
        "time_limit": claim.time_limit,
        "timeline": [
            {"stage": e.stage, "label": e.label, "at": e.at.isoformat(), "note": e.note}
            for e in claim.timeline
        ],
        "missing_documents": claim.missing_documents,
        "received_documents": claim.received_documents,
        "amount_claimed": money(claim.amount_claimed),
        "amount_approved": money(claim.amount_approved),
        "amount_paid": money(claim.amount_paid),
        "payments": [
            {
                "amount": money(p.amount),
                "method": p.method,
                "account": p.account_masked,
                "status": p.status,
                "paid_at": p.paid_at.isoformat() if p.paid_at else None,
            }
            for p in claim.payments
        ],
        "rejection_reason": claim.rejection_reason,
        "claimant": claim.claimant_masked,
        "text": status_text(claim),
    }


def pick_buttons(claims: list[ClaimSummary]) -> list[dict[str, str]]:
    """One button per claim; its payload starts the status look-up of that claim."""
    return [
        {
            "title": f"{c.claim_number} {c.product_name[:8]} {c.cause} {c.stage_label}",
            "payload": f'/claim_status{{"claim_number":"{c.claim_number}"}}',
        }
        for c in claims
    ]
