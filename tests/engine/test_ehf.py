from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from engine.rules.ehf import (
    CAC_NS,
    CBC_NS,
    CUSTOMIZATION_ID,
    INVOICE_NS,
    PROFILE_ID,
    Contact,
    Party,
    invoice_ubl_xml,
    is_valid_organisation_number,
)
from engine.rules.invoice import InvalidInvoiceInput, calculate_invoice

NS = {"inv": INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}

# UBL 2.1 sequence order of the elements this module writes (schema order, subset).
INVOICE_ORDER = [
    "CustomizationID",
    "ProfileID",
    "ID",
    "IssueDate",
    "DueDate",
    "InvoiceTypeCode",
    "Note",
    "DocumentCurrencyCode",
    "BuyerReference",
    "InvoicePeriod",
    "AccountingSupplierParty",
    "AccountingCustomerParty",
    "PaymentMeans",
    "PaymentTerms",
    "TaxTotal",
    "LegalMonetaryTotal",
    "InvoiceLine",
]
PARTY_ORDER = ["EndpointID", "PartyName", "PostalAddress", "PartyLegalEntity", "Contact"]
ADDRESS_ORDER = ["StreetName", "AdditionalStreetName", "CityName", "PostalZone", "Country"]
CONTACT_ORDER = ["Name", "Telephone", "ElectronicMail"]
TAX_CATEGORY_ORDER = ["ID", "TaxExemptionReasonCode", "TaxExemptionReason", "TaxScheme"]
MONETARY_ORDER = [
    "LineExtensionAmount",
    "TaxExclusiveAmount",
    "TaxInclusiveAmount",
    "PayableAmount",
]
LINE_ORDER = ["ID", "InvoicedQuantity", "LineExtensionAmount", "Item", "Price"]
ITEM_ORDER = ["Name", "SellersItemIdentification", "ClassifiedTaxCategory"]

LENDING = Party(
    name="Løten kommune",
    organisation_number="974760673",
    street="Storgata 1",
    postal_code="2340",
    city="Løten",
    contact=Contact(name="Kari Nordmann", telephone="+4762000000", email="kari@example.no"),
    bank_account="12345678903",
)
RECEIVING = Party(
    name="Hamar kommune",
    organisation_number="970540008",
    street="Vangsvegen 51",
    postal_code="2317",
    city="Hamar",
    additional_street="Postboks 4063",
    contact=Contact(name="Ola Nordmann"),
)


@pytest.fixture(scope="module")
def invoice():
    return calculate_invoice(date(2026, 12, 14), date(2027, 1, 8), Decimal("52000"))


def render(invoice, **options):
    arguments = {
        "invoice_number": "2027-0001",
        "issue_date": date(2027, 1, 11),
        "seller": LENDING,
        "buyer": RECEIVING,
        "due_date": date(2027, 2, 10),
    }
    return etree.fromstring(invoice_ubl_xml(invoice, **(arguments | options)))


def local_names(element):
    return [etree.QName(child).localname for child in element]


def in_schema_order(element, order):
    names = local_names(element)
    assert set(names) <= set(order), set(names) - set(order)
    return [order.index(name) for name in names] == sorted(order.index(name) for name in names)


def text(element, path):
    return element.findtext(path, namespaces=NS)


def test_root_and_namespaces(invoice):
    root = render(invoice)
    assert root.tag == f"{{{INVOICE_NS}}}Invoice"
    assert root.nsmap == {None: INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}
    assert text(root, "cbc:CustomizationID") == CUSTOMIZATION_ID
    assert text(root, "cbc:ProfileID") == PROFILE_ID
    assert text(root, "cbc:ID") == "2027-0001"
    assert text(root, "cbc:IssueDate") == "2027-01-11"
    assert text(root, "cbc:DueDate") == "2027-02-10"
    assert text(root, "cbc:InvoiceTypeCode") == "380"
    assert text(root, "cbc:DocumentCurrencyCode") == "NOK"
    assert text(root, "cbc:BuyerReference") == "Ola Nordmann"
    assert text(root, "cac:InvoicePeriod/cbc:StartDate") == "2026-12-14"
    assert text(root, "cac:InvoicePeriod/cbc:EndDate") == "2027-01-08"


def test_xml_declaration_and_encoding(invoice):
    xml = invoice_ubl_xml(
        invoice,
        invoice_number="1",
        issue_date=date(2027, 1, 11),
        seller=LENDING,
        buyer=RECEIVING,
    )
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Løten kommune".encode() in xml


def test_elements_follow_the_ubl_order(invoice):
    root = render(invoice)
    assert in_schema_order(root, INVOICE_ORDER)
    for party in root.iterfind("*/cac:Party", NS):
        assert in_schema_order(party, PARTY_ORDER)
        assert in_schema_order(party.find("cac:PostalAddress", NS), ADDRESS_ORDER)
        assert in_schema_order(party.find("cac:Contact", NS), CONTACT_ORDER)
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert in_schema_order(category, TAX_CATEGORY_ORDER)
    assert in_schema_order(root.find("cac:LegalMonetaryTotal", NS), MONETARY_ORDER)
    for line in root.iterfind("cac:InvoiceLine", NS):
        assert in_schema_order(line, LINE_ORDER)
        assert in_schema_order(line.find("cac:Item", NS), ITEM_ORDER)


def test_parties_use_organisation_numbers(invoice):
    root = render(invoice)
    for role, party in (("Supplier", LENDING), ("Customer", RECEIVING)):
        element = root.find(f"cac:Accounting{role}Party/cac:Party", NS)
        endpoint = element.find("cbc:EndpointID", NS)
        assert (endpoint.text, endpoint.get("schemeID")) == (party.organisation_number, "0192")
        legal = element.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        assert (legal.text, legal.get("schemeID")) == (party.organisation_number, "0192")
        assert text(element, "cac:PartyLegalEntity/cbc:RegistrationName") == party.name
        assert text(element, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NO"
    assert root.find(".//cac:PartyTaxScheme", NS) is None  # BR-O-02: no VAT identifiers


def test_vat_is_category_o_with_zero_tax(invoice):
    root = render(invoice)
    assert len(root.findall("cac:TaxTotal", NS)) == 1
    assert text(root, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
    subtotal = root.find("cac:TaxTotal/cac:TaxSubtotal", NS)
    assert text(subtotal, "cbc:TaxableAmount") == str(invoice.total)
    assert text(subtotal, "cbc:TaxAmount") == "0.00"
    assert text(subtotal, "cac:TaxCategory/cbc:ID") == "O"
    assert text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    assert text(subtotal, "cac:TaxCategory/cac:TaxScheme/cbc:ID") == "VAT"
    categories = root.findall(".//cac:ClassifiedTaxCategory", NS)
    assert [text(category, "cbc:ID") for category in categories] == ["O"] * 3
    assert root.find(".//cbc:Percent", NS) is None  # BR-O-05, BR-48


def test_totals_equal_the_invoice(invoice):
    root = render(invoice)
    monetary = root.find("cac:LegalMonetaryTotal", NS)
    for tag in MONETARY_ORDER:
        assert Decimal(text(monetary, f"cbc:{tag}")) == invoice.total == Decimal("63659.09")
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) == len(invoice.lines) == 3
    amounts = [Decimal(text(line, "cbc:LineExtensionAmount")) for line in lines]
    assert amounts == [line.amount for line in invoice.lines]
    assert sum(amounts) == invoice.total  # BR-CO-10


def test_invoice_lines(invoice):
    root = render(invoice)
    lines = root.findall("cac:InvoiceLine", NS)
    assert [text(line, "cbc:ID") for line in lines] == ["1", "2", "3"]
    codes = [text(line, "cac:Item/cac:SellersItemIdentification/cbc:ID") for line in lines]
    assert codes == ["salary", "social_costs", "daily_fee"]
    fee = lines[2]
    assert fee.find("cbc:InvoicedQuantity", NS).get("unitCode") == "E49"
    assert text(fee, "cbc:InvoicedQuantity") == "18"
    assert text(fee, "cac:Price/cbc:PriceAmount") == "500.00"
    for line in lines:  # PEPPOL-EN16931-R120
        quantity = Decimal(text(line, "cbc:InvoicedQuantity"))
        price = Decimal(text(line, "cac:Price/cbc:PriceAmount"))
        assert quantity * price == Decimal(text(line, "cbc:LineExtensionAmount"))
        assert text(line, "cac:Item/cbc:Name")


def test_every_amount_is_in_the_document_currency(invoice):
    root = render(invoice)
    amounts = root.xpath("//*[@currencyID]")
    assert len(amounts) == 3 + 4 + 3 * 2
    assert {amount.get("currencyID") for amount in amounts} == {"NOK"}
    assert all(len(amount.text.split(".")[1]) == 2 for amount in amounts)


def test_no_empty_elements(invoice):  # PEPPOL-EN16931-R008
    root = render(invoice)
    for element in root.iter():
        assert len(element) or (element.text and element.text.strip()), element.tag


def test_note_has_the_daily_fee_split(invoice):
    note = text(render(invoice), "cbc:Note")
    assert "3600.00" in note
    assert "5400.00" in note


def test_payment_means_and_terms(invoice):
    root = render(invoice)
    assert text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "12345678903"
    assert root.find("cac:PaymentTerms", NS) is None
    without_due_date = render(invoice, due_date=None)  # BR-CO-25
    assert without_due_date.find("cbc:DueDate", NS) is None
    assert text(without_due_date, "cac:PaymentTerms/cbc:Note")


def test_buyer_reference():
    invoice = calculate_invoice(date(2027, 5, 3), date(2027, 5, 28), Decimal("58000"))
    assert text(render(invoice, buyer_reference="K-123"), "cbc:BuyerReference") == "K-123"
    anonymous = Party("Hamar kommune", "970540008", "Vangsvegen 51", "2317", "Hamar")
    with pytest.raises(InvalidInvoiceInput, match="R003"):
        render(invoice, buyer=anonymous)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"invoice_number": " "}, "invoice_number"),
        ({"due_date": date(2027, 1, 10)}, "due_date"),
        ({"currency": "kr"}, "currency"),
    ],
)
def test_invalid_arguments(invoice, options, field):
    with pytest.raises(InvalidInvoiceInput) as error:
        render(invoice, **options)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("974760673", True),
        ("970540008", True),
        ("974760674", False),
        ("97476067", False),
        ("9747606730", False),
        ("97476067a", False),
        ("٩٧٤٧٦٠٦٧٣", False),
    ],
)
def test_organisation_numbers(number, valid):
    assert is_valid_organisation_number(number) is valid


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"organisation_number": "974760674"}, "organisation_number"),
        ({"name": " "}, "name"),
        ({"country_code": "nor"}, "country_code"),
    ],
)
def test_invalid_party(options, field):
    arguments = {
        "name": "Løten kommune",
        "organisation_number": "974760673",
        "street": "Storgata 1",
        "postal_code": "2340",
        "city": "Løten",
    }
    with pytest.raises(InvalidInvoiceInput) as error:
        Party(**(arguments | options))
    assert error.value.field == field
