"""(being written)"""

from flask import Blueprint

bp = Blueprint("retention", __name__)
