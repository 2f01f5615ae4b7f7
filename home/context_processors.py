from home.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"navigation": []}
    return {"navigation": navigation_for(user)}
