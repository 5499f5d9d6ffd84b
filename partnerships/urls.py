from django.urls import path

from partnerships import exports, feeds, views
from partnerships.views import alerts as alert_views
from partnerships.views.glossary import glossary

app_name = "partnerships"

urlpatterns = [
    path("", views.home, name="home"),
    # Public pages: timeline, deals, partnerships, companies, charts, archive, feeds, exports.
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<slug:slug>/", views.deal_detail, name="deal_detail"),
    path("partnerships/<slug:a>/<slug:b>/", views.partnership, name="partnership"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("compare/", views.compare_deals, name="compare_deals"),
    path("compare/companies/", views.compare_companies, name="compare_companies"),
    path("search/", views.search, name="search"),
    path("network/", views.network, name="network"),
    path("flows/", views.flows, name="flows"),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("sources/", views.sources, name="sources"),
    path("glossary/", glossary, name="glossary"),
    path("feeds/deals/", feeds.deal_feed, name="feed_deals"),
    path("feeds/companies/<slug:slug>/", feeds.company_feed, name="feed_company"),
    path("feeds/clauses/<slug:kind>/", feeds.clause_feed, name="feed_clause"),
    path("exports/", views.exports_doc, name="exports"),
    path("exports/<str:what>.<str:fmt>", exports.export, name="export"),
    # Email alerts: subscribe, signed links from the emails, and a subscriber's own feed.
    path("alerts/", alert_views.subscribe, name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", alert_views.confirm, name="alert_confirm"),
    path("alerts/manage/<str:token>/", alert_views.manage, name="alert_manage"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alert_unsubscribe"),
    path("alerts/feed/<str:token>/", feeds.subscription_feed, name="alert_feed"),
]
