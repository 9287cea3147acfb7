"""The names of the folders digest reads and writes in a site, in one place.

Every module, message and default that names one of them takes the name from here.
"""

CONTENT_DIR = "content"
"""Posts, standalone pages and the files beside them."""
TEMPLATES_DIR = "templates"
"""A site's templates, over the theme's of the same name."""
STATIC_DIR = "static"
"""Files copied as they are, over the theme's."""
OUTPUT_DIR = "public"
"""Where ``digest build`` writes, unless the configuration's ``output`` says otherwise."""
CACHE_DIR = ".digest-cache"
"""What the last builds knew (state.py), and the folder ``digest serve`` builds into."""
SERVE_DIR = f"{CACHE_DIR}/serve"
"""Where ``digest serve`` builds: never the output folder of ``digest build``."""
