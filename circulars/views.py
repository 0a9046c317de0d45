from django.http import HttpResponse


def circular_list(request):
    return HttpResponse("list")


def circular_detail(request, pk):
    return HttpResponse("detail")
