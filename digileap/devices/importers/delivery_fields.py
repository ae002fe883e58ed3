"""The fields of the delivery importer (target ``deliveries``), as the engine and the editor read them.

No limits are declared here: the importer checks serials, MAC addresses, dates, conditions and
lengths itself, with its own messages (docs/devices-import.md), on both of its paths.
"""

from django.utils.translation import gettext_lazy

from digileap.core.tabular.fields import CHECKED, FieldSpec

DELIVERY_FIELDS = (
    FieldSpec(
        "serial",
        gettext_lazy("Serial number"),
        required=True,
        aliases=("Serial", "Serial Number", "Serienummer", "Numéro de série", "Seriennummer", "Sērijas numurs", "S/N"),
        help=gettext_lazy("The manufacturer's serial number; stored upper-case, unique per manufacturer."),
    ),
    FieldSpec(
        "model",
        gettext_lazy("Device model"),
        kept=CHECKED,
        required=True,
        aliases=("Model", "Article", "Artikel", "Modèle", "Modell", "Modelis", "Device model", "Toestelmodel"),
        help=gettext_lazy("The catalogue code of the programme's authority, or 'manufacturer model'."),
    ),
    FieldSpec(
        "asset_tag",
        gettext_lazy("Asset tag"),
        aliases=(
            "Asset tag",
            "Inventory number",
            "Inventarnummer",
            "Inventarisnummer",
            "N° d'inventaire",
            "Inventāra numurs",
        ),
        help=gettext_lazy("The owner's inventory number."),
    ),
    FieldSpec(
        "mac_address",
        gettext_lazy("MAC address"),
        aliases=("MAC", "MAC address", "MAC-Adresse", "Adresse MAC", "MAC-adres", "MAC adrese"),
        help=gettext_lazy("Six pairs of hexadecimal digits, with colons, dashes or none."),
    ),
    FieldSpec(
        "autopilot_hash",
        gettext_lazy("Hardware hash"),
        aliases=("Hardware Hash", "Hardware-Hash", "Hachage matériel", "Aparatūras jaucējkods"),
        help=gettext_lazy("The Windows Autopilot hardware hash, as Base64 text."),
    ),
    FieldSpec(
        "windows_product_id",
        gettext_lazy("Windows product ID"),
        aliases=("Windows Product ID", "Windows-Produkt-ID", "ID de produit Windows"),
    ),
    FieldSpec(
        "google_device_id",
        gettext_lazy("Google device ID"),
        aliases=("Google device ID", "Device ID", "Geräte-ID", "ID de l'appareil"),
    ),
    FieldSpec(
        "condition",
        gettext_lazy("Condition"),
        aliases=("Condition", "Zustand", "Staat", "État", "Stāvoklis"),
        help=gettext_lazy("new or refurbished; empty means new."),
    ),
    FieldSpec(
        "school",
        gettext_lazy("School number"),
        kept=CHECKED,
        required=True,
        aliases=(
            "School",
            "Schulnummer",
            "Schule",
            "Instellingsnummer",
            "School number",
            "Numéro FASE",
            "École",
            "Skola",
        ),
        help=gettext_lazy("The official number of the school that receives the device."),
    ),
    FieldSpec(
        "site",
        gettext_lazy("Site"),
        kept=CHECKED,
        aliases=("Site", "Building", "Standort", "Gebäude", "Vestigingsplaats", "Implantation", "Ēka"),
        help=gettext_lazy("The name of one of the school's sites, where the device is delivered."),
    ),
    FieldSpec(
        "note_number",
        gettext_lazy("Delivery note"),
        required=True,
        aliases=("Delivery note", "delivery_note", "Lieferschein", "Leverbon", "Bon de livraison", "Pavadzīme"),
        help=gettext_lazy("The supplier's delivery note number; one delivery per programme, note and school."),
    ),
    FieldSpec(
        "delivered_on",
        gettext_lazy("Delivered on"),
        type="date",
        aliases=("Delivery date", "Lieferdatum", "Leverdatum", "Date de livraison", "Piegādes datums"),
        help=gettext_lazy("The day of delivery (ISO or the local form such as 30.09.2025); empty means today."),
    ),
    FieldSpec(
        "order",
        gettext_lazy("Purchase order"),
        kept=CHECKED,
        aliases=("Order", "Bestellung", "Bestelnummer", "Bon de commande", "Pasūtījums", "PO"),
        help=gettext_lazy("The purchase order number: programme, funding source and supplier come from it."),
    ),
    FieldSpec(
        "programme",
        gettext_lazy("Programme"),
        kept=CHECKED,
        aliases=("Programme", "Program", "Programm", "Programma", "Programmas kods"),
        help=gettext_lazy("The programme's code, when the row names no order."),
    ),
    FieldSpec(
        "supplier",
        gettext_lazy("Supplier"),
        kept=CHECKED,
        aliases=("Supplier", "Lieferant", "Leverancier", "Fournisseur", "Piegādātājs"),
        help=gettext_lazy("The supplier's name, when the row names no order and the uploader is no supplier."),
    ),
)
