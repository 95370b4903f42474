"""The domain core: interactions, results, text normalisation and the error family.

Every other package may import it; it imports none of them (tests/test_layers.py checks).
"""
