import time

from django.core.management.base import BaseCommand

from clusters.services import search_index_rebuild


class Command(BaseCommand):
    help = "重建档案全文检索索引（全部文章）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        started = time.monotonic()
        count = search_index_rebuild(batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(f"已重建 {count} 篇文章的检索索引，用时 {time.monotonic() - started:.1f} 秒。")
        )
