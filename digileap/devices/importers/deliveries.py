"""(filled in by the deliveries work)"""
