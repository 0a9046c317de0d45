from django.http import HttpResponse


def organization_list(request):
    return HttpResponse("list")


def organization_detail(request, pk):
    return HttpResponse("detail")
