"""Attachment verification: content type, structure, policy verdict and safe names (no I/O).

The package imports nothing itself: ``pipeline.attachments.verdict`` brings libmagic
and the PDF and image checkers (some 28 MiB), which a command reading the record never
uses, while every command reads the attachment policy from its configuration.
"""
