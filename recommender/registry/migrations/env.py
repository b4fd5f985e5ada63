"""Alembic environment: run on the connection handed over by db.engine_for, or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine

from recommender.registry.db import database_url
from recommender.registry.models import Base, UTCDateTime

config = context.config


def _render_item(kind: str, item, autogen_context):
    """Migrations name plain SQLAlchemy types: UTCDateTime is a timezone-aware DateTime in the database."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True, render_item=_render_item
    )
    with context.begin_transaction():
        context.run_migrations()


if (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    # the `alembic` command (alembic.ini): the database the app would use
    url = config.get_main_option("sqlalchemy.url") or database_url()
    with create_engine(url).begin() as connection:
        _run(connection)
