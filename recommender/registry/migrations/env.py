"""Alembic environment: run on the connection handed over by db.engine_for, or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine

from recommender.registry.db import database_url
from recommender.registry.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    # the `alembic` command (alembic.ini): the database the app would use
    url = config.get_main_option("sqlalchemy.url") or database_url()
    with create_engine(url).begin() as connection:
        _run(connection)
