"""Flask blueprints: pages for trainers and attendees, and the JSON API."""

from flask import Flask, jsonify
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .. import accounts, models
from ..app import database
from . import security


def register(app: Flask) -> None:
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Please sign in to continue."

    @login.user_loader
    def load_trainer(trainer_id: str):
        with database(app).read() as s:
            trainer = s.get(models.Trainer, int(trainer_id))
        if trainer is None:
            return None
        trainer = accounts.with_workspace(app, trainer)
        return trainer if trainer.role else None  # removed from its workspace: signed out

    CSRFProtect(app)
    security.register(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    from . import auth, decks, people, plans, play, results, retention, review, roles, stage, workspace

    for module in (auth, decks, people, plans, play, results, retention, review, stage, workspace):
        app.register_blueprint(module.bp)
    roles.register(app)

    # Deck version history and resources (docs/versions-and-resources.md).
    from . import resources as resource_pages
    from . import versions as version_pages

    app.register_blueprint(version_pages.bp)
    app.register_blueprint(resource_pages.bp)

    # Peer feedback, trainer profiles and recognition, the programme report (docs/feedback.md).
    from . import feedback as feedback_pages
    from . import programme as programme_pages
    from . import trainers as trainer_pages

    for module in (feedback_pages, trainer_pages, programme_pages):
        app.register_blueprint(module.bp)
