"""Flask blueprints: pages for trainers and attendees, and the JSON API."""

from flask import Flask, jsonify
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .. import models
from ..app import database
from . import security


def register(app: Flask) -> None:
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Please sign in to continue."

    @login.user_loader
    def load_trainer(trainer_id: str):
        with database(app).read() as s:
            return s.get(models.Trainer, int(trainer_id))

    CSRFProtect(app)
    security.register(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    from . import auth, decks, people, plans, play, results, retention, review, stage

    for module in (auth, decks, people, plans, play, results, retention, review, stage):
        app.register_blueprint(module.bp)
