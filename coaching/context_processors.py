def navigation(request):
    return {"nav_items": []}
