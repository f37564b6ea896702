"""The benches' URLconf: the product's URLs, and stock viewflow's workflow app beside them.

Never the product's: only bench_workflows.py sets ``ROOT_URLCONF = "stock_urls"`` (its
folder is on sys.path). Under ``/stock/`` it mounts viewflow's own ``WorkflowAppViewset``
(inbox, queue, archive over ``viewflow_task``) with a stock ``FlowViewset`` for each of our
flows, so the bench serves viewflow's inbox and queue pages over the same tables, for the
same user, through the same middleware, next to ours.

A flow can be mounted once: building its URLs sets the flow class's ``parent`` viewset and
clears its ``app_name``, and every task link is reversed through that parent. The stock
mount gets the flows' names for its own URLs, then the product's parents and names are put
back, so our pages reverse exactly as in production (the stock pages' links then point at
ours, which costs the same to reverse).
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Site
from viewflow.workflow.flow.viewset import FlowViewset, WorkflowAppViewset

from advocacy.urls import handler403, handler404, handler500
from advocacy.urls import urlpatterns as product
from workflows.site import FLOWS

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

_product = {flow_class: (flow_class.parent, flow_class.app_name) for flow_class in FLOWS}
for flow_class in FLOWS:
    flow_class.app_name = flow_class.slug
    flow_class.parent = None
stock_site = Site(
    title="stock viewflow",
    viewsets=[WorkflowAppViewset(flow_viewsets=[FlowViewset(flow_class) for flow_class in FLOWS])],
)
stock_patterns = stock_site.urls
for flow_class, (parent, app_name) in _product.items():
    flow_class.parent, flow_class.app_name = parent, app_name

urlpatterns = [*product, path("stock/", stock_patterns)]
