"""quizroom: live quizzes for peer-led workshops.

``create_app`` is imported lazily so that ``quizroom.cli`` and ``wsgi.py`` can
monkey-patch (eventlet/gevent) before Flask and friends are imported.
"""


def create_app(config: dict | None = None):
    from .app import create_app as factory

    return factory(config)
