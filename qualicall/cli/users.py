"""`qualicall user create|passwd|disable|enable|delete|list`: accounts for the web workspace (coaches, admins, agents)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    from qualicall.cli import user_errors

    user_app = typer.Typer(help="Accounts for the web workspace (qualicall serve): coaches, admins, and agents who see their own evaluations.", no_args_is_help=True)
    app.add_typer(user_app, name="user")

    def store():  # type: ignore[no-untyped-def]
        from qualicall.settings import Settings
        from qualicall.store.db import Store

        return Store.for_command(Settings().url)

    @user_app.command("create")
    def create(
        username: Annotated[str, typer.Argument(help="the sign-in name (shown as the author of the account's reviews and disputes)")],
        password: Annotated[str, typer.Option(prompt=True, confirmation_prompt=True, hide_input=True, help="at least 8 characters (asked when not given)")],
        role: Annotated[str, typer.Option(help="coach | admin | agent")] = "coach",
        agent_id: Annotated[Optional[str], typer.Option("--agent-id", help="with --role agent: the agent id (the interactions' agent_id) whose contacts the account sees")] = None,
    ) -> None:
        """Create an account; only a hash of the password is stored. An agent's account sees only its agent id's contacts."""
        from sqlalchemy import select

        from qualicall.store.models import InteractionRow
        from qualicall.store.users import create_user

        with user_errors(), store().session() as session:
            create_user(session, username, password, role, agent_id)
            known = agent_id is None or session.scalar(select(InteractionRow.id).where(InteractionRow.agent_id == agent_id).limit(1)) is not None
        typer.echo(f"qualicall: user {username} ({role}{' ' + agent_id if agent_id else ''}) created", err=True)
        if not known:
            # a typo made an account that sees nothing, and nobody said so
            typer.echo(f"qualicall: warning: no contact of agent id {agent_id!r} is stored yet: the account sees none until one is"
                       " (check the spelling: the interactions' agent_id)", err=True)

    @user_app.command("passwd")
    def passwd(username: Annotated[str, typer.Argument()], password: Annotated[str, typer.Option(prompt=True, confirmation_prompt=True, hide_input=True, help="at least 8 characters (asked when not given)")]) -> None:
        """Set a new password for an account (coach, admin or agent)."""
        from qualicall.store.users import set_password

        with user_errors(), store().session() as session:
            set_password(session, username, password)
        typer.echo(f"qualicall: password of {username} changed; its open sessions ended", err=True)

    @user_app.command("disable")
    def disable(username: Annotated[str, typer.Argument()]) -> None:
        """Disable an account: it cannot sign in, and its open sessions end now."""
        from qualicall.store.users import set_disabled

        with user_errors(), store().session() as session:
            set_disabled(session, username, True)
        typer.echo(f"qualicall: user {username} disabled", err=True)

    @user_app.command("enable")
    def enable(username: Annotated[str, typer.Argument()]) -> None:
        """Enable a disabled account again."""
        from qualicall.store.users import set_disabled

        with user_errors(), store().session() as session:
            set_disabled(session, username, False)
        typer.echo(f"qualicall: user {username} enabled", err=True)

    @user_app.command("delete")
    def delete(username: Annotated[str, typer.Argument()]) -> None:
        """Delete an account and end its sessions (the reviews and disputes it signed keep its name)."""
        from qualicall.store.users import delete_user

        with user_errors(), store().session() as session:
            delete_user(session, username)
        typer.echo(f"qualicall: user {username} deleted", err=True)

    @user_app.command("list")
    def list_() -> None:
        """The accounts: name, role, state, and an agent's agent id."""
        from qualicall.store.users import list_users

        with user_errors(), store().session() as session:
            for user in list_users(session):
                typer.echo(f"{user.username}\t{user.role}\t{'disabled' if user.disabled else 'active'}" + (f"\t{user.agent_id}" if user.agent_id else ""))
