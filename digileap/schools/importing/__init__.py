"""Parts of the school registry importer (``digileap/schools/importer.py``): its field declarations."""
