"""The demo source: a livestream and its chat served on 127.0.0.1 by the app itself."""
