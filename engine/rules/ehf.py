"""The KV 5 invoice as EHF: a Peppol BIS Billing 3.0 UBL 2.1 Invoice.

Refunds of salary between municipalities carry no VAT (AMB-13, `vat: none`), so every
line and the single VAT breakdown use category O, "not subject to VAT": no VAT rate and no
party VAT numbers (BR-O-02, BR-O-05, BR-48), a zero tax amount (BR-O-09) and the exemption
reason code VATEX-EU-O (BR-O-10). Parties are identified by their Norwegian organisation
number (scheme 0192) as electronic address and legal registration. Peppol rule R003 needs a
buyer reference; R120 needs quantity times price = line amount, so lump-sum lines have
quantity 1. Elements follow the UBL 2.1 schema order.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from engine.rules.invoice import InvalidInvoiceInput, Invoice, InvoiceLine

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ORGANISATION_NUMBER_SCHEME = "0192"  # ISO 6523 ICD: Norwegian organisation number
_NSMAP = {None: INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}
_MOD11_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class Contact:
    """A contact person at a party."""

    name: str | None = None
    telephone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Party:
    """A municipality or other organisation that sends or receives the invoice."""

    name: str
    organisation_number: str  # 9 digits with a MOD11 check digit (Enhetsregisteret)
    street: str
    postal_code: str
    city: str
    country_code: str = "NO"
    additional_street: str | None = None
    contact: Contact | None = None
    bank_account: str | None = None  # the seller's account, for payment by credit transfer

    def __post_init__(self) -> None:
        if not is_valid_organisation_number(self.organisation_number):
            raise InvalidInvoiceInput(
                "organisation_number", f"{self.organisation_number!r} is not a valid org. no."
            )
        for name in ("name", "street", "postal_code", "city"):
            if not getattr(self, name).strip():
                raise InvalidInvoiceInput(name, "must not be empty")
        if len(self.country_code) != 2 or not self.country_code.isupper():
            raise InvalidInvoiceInput("country_code", "must be an ISO 3166-1 alpha-2 code")


def is_valid_organisation_number(number: str) -> bool:
    """Tell whether a string is a Norwegian organisation number: 9 digits, MOD11 check."""
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(number, _MOD11_WEIGHTS, strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(number[8])


def invoice_ubl_xml(
    invoice: Invoice,
    *,
    invoice_number: str,
    issue_date: date,
    seller: Party,
    buyer: Party,
    due_date: date | None = None,
    currency: str = "NOK",
    buyer_reference: str | None = None,
) -> bytes:
    """Render the invoice as an EHF (Peppol BIS Billing 3.0) UBL Invoice document."""
    _validate(invoice_number, issue_date, due_date, currency)
    reference = _buyer_reference(buyer, buyer_reference)
    root = etree.Element(f"{{{INVOICE_NS}}}Invoice", nsmap=_NSMAP)
    _header(root, invoice, invoice_number, issue_date, due_date, currency, reference)
    _party(_cac(root, "AccountingSupplierParty"), seller)
    _party(_cac(root, "AccountingCustomerParty"), buyer)
    _payment(root, seller, due_date)
    _tax_total(root, invoice.total, currency)
    _monetary_total(root, invoice.total, currency)
    for number, line in enumerate(invoice.lines, start=1):
        _invoice_line(root, number, line, currency)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _validate(invoice_number: str, issue_date: date, due_date: date | None, currency: str) -> None:
    if not invoice_number.strip():
        raise InvalidInvoiceInput("invoice_number", "must not be empty")
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise InvalidInvoiceInput("currency", f"{currency!r} is not an ISO 4217 code")
    if due_date is not None and due_date < issue_date:
        raise InvalidInvoiceInput("due_date", "must not be before the issue date")


def _buyer_reference(buyer: Party, reference: str | None) -> str:
    if reference is None and buyer.contact is not None:
        reference = buyer.contact.name
    if reference is None or not reference.strip():
        raise InvalidInvoiceInput(
            "buyer_reference", "Peppol needs a buyer reference (R003): pass one or a contact name"
        )
    return reference


def _header(
    root: etree._Element,
    invoice: Invoice,
    invoice_number: str,
    issue_date: date,
    due_date: date | None,
    currency: str,
    reference: str,
) -> None:
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice_number)
    _cbc(root, "IssueDate", issue_date.isoformat())
    if due_date is not None:
        _cbc(root, "DueDate", due_date.isoformat())
    _cbc(root, "InvoiceTypeCode", "380")  # UNCL1001: commercial invoice
    employee, lending = invoice.employee_share.amount, invoice.lending_unit_share.amount
    _cbc(
        root,
        "Note",
        f"Av dagsatsen går kr {employee} til arbeidstaker og kr {lending} til avgivende avdeling",
    )
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", reference)
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", invoice.period_start.isoformat())
    _cbc(period, "EndDate", invoice.period_end.isoformat())


def _party(role: etree._Element, party: Party) -> None:
    element = _cac(role, "Party")
    _cbc(element, "EndpointID", party.organisation_number, schemeID=ORGANISATION_NUMBER_SCHEME)
    _cbc(_cac(element, "PartyName"), "Name", party.name)
    address = _cac(element, "PostalAddress")
    _cbc(address, "StreetName", party.street)
    if party.additional_street:
        _cbc(address, "AdditionalStreetName", party.additional_street)
    _cbc(address, "CityName", party.city)
    _cbc(address, "PostalZone", party.postal_code)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country_code)
    legal = _cac(element, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    _cbc(legal, "CompanyID", party.organisation_number, schemeID=ORGANISATION_NUMBER_SCHEME)
    contact = party.contact
    if contact is not None and (contact.name or contact.telephone or contact.email):
        element = _cac(element, "Contact")
        fields = (("Name", contact.name), ("Telephone", contact.telephone))
        for tag, value in (*fields, ("ElectronicMail", contact.email)):
            if value:
                _cbc(element, tag, value)


def _payment(root: etree._Element, seller: Party, due_date: date | None) -> None:
    if seller.bank_account:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "30")  # UNCL4461: credit transfer
        _cbc(_cac(means, "PayeeFinancialAccount"), "ID", seller.bank_account)
    if due_date is None:  # BR-CO-25: a due date or payment terms when an amount is due
        _cbc(_cac(root, "PaymentTerms"), "Note", "Betalingsbetingelser etter avtalen om oppdraget")


def _tax_total(root: etree._Element, total: Decimal, currency: str) -> None:
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", Decimal("0.00"), currency)
    subtotal = _cac(tax_total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", total, currency)
    _amount(subtotal, "TaxAmount", Decimal("0.00"), currency)
    category = _cac(subtotal, "TaxCategory")
    _cbc(category, "ID", "O")
    _cbc(category, "TaxExemptionReasonCode", "VATEX-EU-O")
    _cbc(category, "TaxExemptionReason", "Not subject to VAT")
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(root: etree._Element, total: Decimal, currency: str) -> None:
    monetary = _cac(root, "LegalMonetaryTotal")
    for tag in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount"):
        _amount(monetary, tag, total, currency)
    _amount(monetary, "PayableAmount", total, currency)


def _invoice_line(root: etree._Element, number: int, line: InvoiceLine, currency: str) -> None:
    element = _cac(root, "InvoiceLine")
    _cbc(element, "ID", str(number))
    _cbc(element, "InvoicedQuantity", str(line.quantity), unitCode=line.unit_code)
    _amount(element, "LineExtensionAmount", line.amount, currency)
    item = _cac(element, "Item")
    _cbc(item, "Name", line.description_nb)
    _cbc(_cac(item, "SellersItemIdentification"), "ID", line.code)
    category = _cac(item, "ClassifiedTaxCategory")
    _cbc(category, "ID", "O")
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
    _amount(_cac(element, "Price"), "PriceAmount", line.unit_price, currency)


def _cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC_NS}}}{tag}")


def _cbc(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC_NS}}}{tag}", attributes)
    element.text = text
    return element


def _amount(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    _cbc(parent, tag, str(amount), currencyID=currency)
