from django.shortcuts import render

from partnerships import selectors


def home(request):
    ctx = {"latest_deals": selectors.deal_latest(limit=40)}
    return render(request, "partnerships/home.html", ctx)
