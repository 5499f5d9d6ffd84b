"""Extraction: from an announcement's text to a candidate deal, as pure functions.

Text in, an ``Extraction`` out (is it a deal, its kind, parties, clauses with their
quotes, the date); no database, no network, no Django settings, so ``manage.py extract``,
the evaluation harness (``bench/extraction_eval.py``) and the worker always agree.

- ``text`` turns HTML, Markdown or plain text into clean prose; ``dates`` reads dates
  (the same rules serve the scrapers' listings);
- ``parties`` finds who the deal is between, ``clauses`` its terms, ``classify`` whether
  it is a deal and of what kind; ``core.extract_text`` runs them in order;
- ``vocabulary`` is the list of kinds, units, qualifiers and roles the models store;
- ``model`` builds the prompt for, and reads the answer of, the optional language model.

Writing the result to the database (candidate deals, same-deal detection, phases) is
curation's job: ``partnerships.services.candidates``.
"""
