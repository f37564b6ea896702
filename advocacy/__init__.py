"""Case management and workflow engine for a rights-advocacy support core agency."""
