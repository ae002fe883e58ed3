"""What connectivity adds to the programmes' indicators (``digileap.programmes.indicators``)."""
