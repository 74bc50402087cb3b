"""Trainer accounts: create, find, check a password. Passwords are hashed with scrypt."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash, generate_password_hash

from . import models
from .app import database

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


def create_trainer(app: Flask, *, email: object, name: object, password: object) -> models.Trainer:
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
        trainer = models.Trainer(email=address, name=name.strip(), password_hash=generate_password_hash(password))
        s.add(trainer)
        s.flush()
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
