"""From announcement text to a candidate deal.

``core`` holds pure functions over text (no database) so they are fast and testable;
``service`` turns their result into Deal/Clause/DealParty rows; ``tasks`` runs the
service in a worker after each stored announcement.
"""
