"""Trainer accounts: create, find, check a password. Passwords are hashed with scrypt.

Every account belongs to one workspace with a role (docs/workspace.md): an invitation link
puts a new account into its workspace with its role; without one the account gets a new
workspace of its own, as its admin (the first account on a fresh install too). With
``require_invitation`` (QUIZROOM_OPEN_SIGNUP off) only the very first account may sign up
without a link."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash, generate_password_hash

from . import invitations, members, models
from .app import database
from .clock import now_of

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
PASSWORD_MIN = 8
NAME_MAX = 80


_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: object) -> str:
    if not isinstance(email, str) or not EMAIL.fullmatch(email.strip()):
        raise AccountError("email", "enter a valid e-mail address")
    return email.strip().lower()


def create_trainer(
    app: Flask,
    *,
    email: object,
    name: object,
    password: object,
    invitation: str | None = None,
    require_invitation: bool = False,
) -> models.Trainer:
    address = normalise_email(email)
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise AccountError("name", f"enter a name of 1 to {NAME_MAX} characters")
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise AccountError("password", f"use at least {PASSWORD_MIN} characters")
    if len(password) > 1024:
        raise AccountError("password", "that password is too long")
    with database(app).transaction() as s:
        if s.scalar(sa.select(models.Trainer.id).where(models.Trainer.email == address)):
            raise AccountError("email", "an account with this e-mail already exists")
        first = s.scalar(sa.select(models.Trainer.id).limit(1)) is None
        if invitation is None and require_invitation and not first:
            raise AccountError("invite", "registration here is by invitation: ask an admin for an invitation link")
        trainer = models.Trainer(email=address, name=name.strip(), password_hash=generate_password_hash(password))
        s.add(trainer)
        s.flush()
        if invitation is not None:
            try:
                invitations.redeem(s, invitation, trainer, now_of(app))
            except invitations.InvitationError as error:
                raise AccountError("invite", error.message) from None
        else:
            trainer.workspace_id = members.new_workspace(s, members.default_name(trainer.name)).id
            trainer.role = "admin"
        return trainer


def find_trainer(app: Flask, email: str) -> models.Trainer | None:
    with database(app).read() as s:
        return s.scalar(sa.select(models.Trainer).where(models.Trainer.email == email.strip().lower()))


def authenticate(app: Flask, email: object, password: object) -> models.Trainer | None:
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    trainer = find_trainer(app, email)
    if trainer is None:
        check_password_hash(_DUMMY_HASH, password)  # same work, so timing does not reveal accounts
        return None
    return trainer if check_password_hash(trainer.password_hash, password) else None


def with_workspace(app: Flask, trainer: models.Trainer) -> models.Trainer:
    """The account as stored, given a workspace first if it has none yet (see
    members.ensure_workspaces). Its ``role`` is None when it was removed from its workspace."""
    if trainer.workspace_id is not None:
        return trainer
    members.ensure_workspaces(database(app))
    with database(app).read() as s:
        return s.get(models.Trainer, trainer.id) or trainer


def any_trainer(app: Flask) -> bool:
    with database(app).read() as s:
        return s.scalar(sa.select(models.Trainer.id).limit(1)) is not None
