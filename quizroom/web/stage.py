"""(placeholder: being written)"""

from flask import Blueprint

bp = Blueprint("stage", __name__)
