from django.core.management.base import BaseCommand

from advocacy.portal.services import requests_expire


class Command(BaseCommand):
    help = "回答期限を過ぎた受任調整依頼を期限切れにし、受任調整の手続きを進めます。"

    def handle(self, *args, **options):
        count = requests_expire()
        self.stdout.write(f"expired {count}")
