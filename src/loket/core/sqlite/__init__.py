"""Django's SQLite backend with a faster hand-over of the write lock (base.py)."""
