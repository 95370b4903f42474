"""API keys' webhook secrets rest sealed (`sealed:` and AES-GCM with the data folder's sealing.key): no column changes

The process that runs the jobs seals the secrets still in clear when it starts (it holds the key; a migration does
not), their value kept. The revision is there so that an older qualicall refuses the database instead of signing its
callbacks with the sealed text as the secret (an upgrade operator's review: a rollback without the backup signed every
callback wrongly, without a word).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # the sealing is the service's, at start (qualicall.api.jobs)


def downgrade() -> None:
    raise NotImplementedError("webhook secrets sealed cannot be opened without the data folder's key: restore the backup taken before the upgrade")
