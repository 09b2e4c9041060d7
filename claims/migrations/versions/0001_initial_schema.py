"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 09:48:36.125874
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Applies this revision."""
    
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('claim_number', sa.String(length=20), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_claim_number'), ['claim_number'], unique=False)

    op.create_table('answer_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('article_id', sa.String(length=64), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=False),
    sa.Column('claim_number', sa.String(length=20), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_number')
    )
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_masked', sa.String(length=32), nullable=False),
    sa.Column('phone_masked', sa.String(length=20), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('phone_last4_hash', sa.String(length=64), nullable=False),
    sa.Column('id_last6_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_phone_hash'), ['phone_hash'], unique=False)

    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_number')
    )
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoffs_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('knowledge_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=False),
    sa.Column('best_article', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('verification_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref_hash')
    )
    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=20), nullable=False),
    sa.Column('product_line', sa.String(length=24), nullable=False),
    sa.Column('product_name', sa.String(length=64), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('insured_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sum_insured', sa.BigInteger(), nullable=False),
    sa.Column('plate_number', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['insured_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('policy_number')
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_insured_id'), ['insured_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_number', sa.String(length=20), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('accident_at', sa.DateTime(), nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('place', sa.String(length=128), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('stage_since', sa.DateTime(), nullable=False),
    sa.Column('amount_claimed', sa.BigInteger(), nullable=True),
    sa.Column('amount_approved', sa.BigInteger(), nullable=True),
    sa.Column('amount_paid', sa.BigInteger(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('injuries', sa.Boolean(), nullable=False),
    sa.Column('third_party', sa.Boolean(), nullable=False),
    sa.Column('police_attended', sa.Boolean(), nullable=True),
    sa.Column('plate_number', sa.String(length=16), nullable=True),
    sa.Column('contact_phone_masked', sa.String(length=20), nullable=True),
    sa.Column('contact_phone_enc', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claimant_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('claim_number')
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index('ix_claims_claimant_reported', ['claimant_id', 'reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_policy_id'), ['policy_id'], unique=False)

    op.create_table('claim_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_documents_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_events_claim_id'), ['claim_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('account_masked', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_claim_id'), ['claim_id'], unique=False)




def downgrade() -> None:
    """Reverts this revision."""
    
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_claim_id'))

    op.drop_table('payments')
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_events_claim_id'))

    op.drop_table('claim_events')
    with op.batch_alter_table('claim_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_documents_claim_id'))

    op.drop_table('claim_documents')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_policy_id'))
        batch_op.drop_index('ix_claims_claimant_reported')
        batch_op.drop_index(batch_op.f('ix_claims_claimant_id'))

    op.drop_table('claims')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_insured_id'))
        batch_op.drop_index(batch_op.f('ix_policies_holder_id'))

    op.drop_table('policies')
    op.drop_table('verification_locks')
    op.drop_table('knowledge_gaps')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoffs_conversation_id'))

    op.drop_table('handoffs')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_phone_hash'))

    op.drop_table('customers')
    op.drop_table('complaints')
    op.drop_table('answer_feedback')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_claim_number'))
        batch_op.drop_index(batch_op.f('ix_access_log_at'))

    op.drop_table('access_log')

