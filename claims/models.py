"""Tables of the claims database.

Times are naive Beijing time (the business runs in one time zone; see :mod:`claims.clock`).
Personal data is stored only in the form verification or display needs: names, phones and
accounts masked for display, phone and ID digits as salted HMACs for verification, and the
contact phone of a chat-reported claim encrypted (adjusters call back on it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import declarative_base, relationship

# SQLAlchemy 1.4 ships no type information: the declarative base is Any to mypy.
Base: Any = declarative_base()


class Money(TypeDecorator):
    """Yuan amounts stored as integer fen: exact on SQLite and PostgreSQL alike."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        """Converts yuan (Decimal, int or str) to fen."""
        if value is None:
            return None
        return int((Decimal(value) * 100).quantize(Decimal(1)))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        """Converts fen back to yuan with two decimals."""
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))


class Customer(Base):
    """A policyholder or insured person: only what display and verification need."""

    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name_masked = Column(String(32), nullable=False)  # 张*明
    phone_masked = Column(String(20), nullable=False)  # 138****5678
    phone_hash = Column(String(64), nullable=False, index=True)  # agents look up by phone
    salt = Column(String(32), nullable=False)
    phone_last4_hash = Column(String(64), nullable=False)
    id_last6_hash = Column(String(64), nullable=False)


class Policy(Base):
    """An insurance policy of one product line."""

    __tablename__ = "policies"

    id = Column(Integer, primary_key=True)
    policy_number = Column(String(20), nullable=False, unique=True)
    product_line = Column(String(24), nullable=False)
    product_name = Column(String(64), nullable=False)
    holder_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    insured_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    start_date = Column(Date, nullable=False)
    end_date = Column(Date, nullable=False)
    status = Column(String(16), nullable=False)  # 有效 / 已退保 / 已满期
    sum_insured = Column(Money(), nullable=False)
    plate_number = Column(String(16))

    holder = relationship(Customer, foreign_keys=[holder_id])
    insured = relationship(Customer, foreign_keys=[insured_id])


class Claim(Base):
    """A claim on a policy; `stage` is the current stage (see claims.stages)."""

    __tablename__ = "claims"

    id = Column(Integer, primary_key=True)
    claim_number = Column(String(20), nullable=False, unique=True)
    policy_id = Column(ForeignKey("policies.id"), nullable=False, index=True)
    claimant_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    reported_at = Column(DateTime, nullable=False)
    accident_at = Column(DateTime, nullable=False)
    cause = Column(String(32), nullable=False)
    place = Column(String(128), nullable=False)
    description = Column(Text, nullable=False, default="")
    stage = Column(String(16), nullable=False)
    stage_since = Column(DateTime, nullable=False)
    amount_claimed = Column(Money())
    amount_approved = Column(Money())
    amount_paid = Column(Money())
    rejection_reason = Column(Text)
    channel = Column(String(16), nullable=False, default="电话")
    injuries = Column(Boolean, nullable=False, default=False)
    third_party = Column(Boolean, nullable=False, default=False)
    police_attended = Column(Boolean)
    plate_number = Column(String(16))
    contact_phone_masked = Column(String(20))
    contact_phone_enc = Column(Text)

    policy = relationship(Policy)
    claimant = relationship(Customer)
    events = relationship("ClaimEvent", order_by="ClaimEvent.at", back_populates="claim")
    documents = relationship("ClaimDocument", order_by="ClaimDocument.id")
    payments = relationship("Payment", order_by="Payment.paid_at")


class ClaimEvent(Base):
    """One stage change on a claim's timeline, with the note the customer sees."""

    __tablename__ = "claim_events"

    id = Column(Integer, primary_key=True)
    claim_id = Column(ForeignKey("claims.id"), nullable=False, index=True)
    stage = Column(String(16), nullable=False)
    at = Column(DateTime, nullable=False)
    note = Column(Text, nullable=False, default="")

    claim = relationship(Claim, back_populates="events")


class ClaimDocument(Base):
    """A document on a claim's checklist; `received_at` is empty until it arrives."""

    __tablename__ = "claim_documents"

    id = Column(Integer, primary_key=True)
    claim_id = Column(ForeignKey("claims.id"), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    required = Column(Boolean, nullable=False, default=True)
    received_at = Column(DateTime)


class Payment(Base):
    """A payment made (or being made) on a claim, to a masked account."""

    __tablename__ = "payments"

    id = Column(Integer, primary_key=True)
    claim_id = Column(ForeignKey("claims.id"), nullable=False, index=True)
    amount = Column(Money(), nullable=False)
    method = Column(String(16), nullable=False)  # 银行转账 / 直付医院 / 直付修理厂
    account_masked = Column(String(32), nullable=False)  # 招商银行 尾号1234
    status = Column(String(16), nullable=False)  # 支付中 / 已到账
    paid_at = Column(DateTime)


class AccessLog(Base):
    """Who looked at which claim, when, through which channel (the audit log)."""

    __tablename__ = "access_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    actor_type = Column(String(16), nullable=False)  # customer / agent
    actor = Column(String(64), nullable=False)  # agent id, or a hash of the conversation id
    action = Column(String(32), nullable=False)
    claim_number = Column(String(20), index=True)
    detail = Column(String(200), nullable=False, default="")


class VerificationLock(Base):
    """Failed verification answers per claim or policy reference, and the lock-out."""

    __tablename__ = "verification_locks"

    id = Column(Integer, primary_key=True)
    ref_hash = Column(String(64), nullable=False, unique=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    updated_at = Column(DateTime, nullable=False)


class Complaint(Base):
    """A complaint recorded by the assistant, with its ticket number."""

    __tablename__ = "complaints"

    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(20), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    channel = Column(String(16), nullable=False)
    conversation_hash = Column(String(64), nullable=False)
    claim_number = Column(String(20))
    category = Column(String(32), nullable=False, default="")
    text = Column(Text, nullable=False)  # masked before it is stored
    status = Column(String(16), nullable=False, default="待处理")


class Handoff(Base):
    """A request for a human agent; while open, the bot stays quiet in that conversation."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(20), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    reason = Column(String(32), nullable=False)
    summary = Column(Text, nullable=False)  # masked
    status = Column(String(16), nullable=False, default="open")
    released_by = Column(String(64))
    released_at = Column(DateTime)


class KnowledgeGap(Base):
    """A question the knowledge base could not answer confidently (masked)."""

    __tablename__ = "knowledge_gaps"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)
    question = Column(Text, nullable=False)
    intent = Column(String(32), nullable=False, default="")
    best_article = Column(String(64))
    score = Column(Float)


class AnswerFeedback(Base):
    """A 👍 or 👎 a customer gave an answer on the web page."""

    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)
    article_id = Column(String(64))
    helpful = Column(Boolean, nullable=False)
    question = Column(Text, nullable=False, default="")


Index("ix_claims_claimant_reported", Claim.claimant_id, Claim.reported_at)
