"""Examination exports: bundles a regulator can verify on their own machine.

``bundle_verifier`` is copied verbatim into every export as ``verify.py`` and
uses only the Python standard library.
"""
