"""The shape of every Fortnox object the sandbox reads or writes, as Fortnox's OpenAPI document declares it.

Field names and types below were transcribed from the schemas of `fortnox-openapi.json` (the `fortnox_*`
components, prefix dropped). The sandbox never sends a field that is not listed for the schema of the response,
and converts each value to the declared type on the way out (`render`): that is how every response body stays
valid against the documented schema, including its quirks (invoice row `DeliveredQuantity` is a string,
`SupplierInvoice.Total` is a string, supplier invoice row `Quantity` is an integer, ...).

`parse` is the way in: it checks a request body object against the same field list (unknown field -> 2001399),
coerces values to the sandbox's internal types (amounts become `Decimal`, never float) and enforces the declared
lengths, ranges and enumerations.

Type grammar: `str`, `str(min,max)`, `int`, `int(min,max)`, `num`, `bool`, `date`, `enum(A|B)`,
`{Schema}` (nested object), `[Schema]` (list of objects).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from . import errors
from .errors import ApiError

_SCHEMA_TEXT: dict[str, str] = {
    "CompanyInfo": (
        "Address:str City:str CompanyName:str CountryCode:str DatabaseNumber:int OrganizationNumber:str "
        "VisitAddress:str VisitCity:str VisitCountryCode:str VisitZipCode:str ZipCode:str"
    ),
    "Me": ("Email:str Id:str Locale:str Name:str SysAdmin:bool"),
    "FinancialYear": (
        "@url:str AccountChartType:str AccountingMethod:enum(ACCRUAL|CASH) FromDate:date Id:int ToDate:date"
    ),
    "AccountListItem": (
        "@url:str Active:bool BalanceBroughtForward:num CostCenter:str CostCenterSettings:enum(ALLOWED|"
        "MANDATORY|NOTALLOWED) Description:str(1,200) Number:int(1000,9999) Project:str "
        "ProjectSettings:enum(ALLOWED|MANDATORY|NOTALLOWED) SRU:int VATCode:str Year:int"
    ),
    "AccountSingleItem": (
        "@url:str Active:bool BalanceBroughtForward:num BalanceCarriedForward:num CostCenter:str "
        "CostCenterSettings:enum(ALLOWED|MANDATORY|NOTALLOWED) Description:str(1,200) Number:int(1000,9999) "
        "OpeningQuantities:[AccountSingleItem_OpeningQuantities] Project:str ProjectSettings:enum(ALLOWED|"
        "MANDATORY|NOTALLOWED) QuantitySettings:enum(ALLOWED|MANDATORY|NOTALLOWED) QuantityUnit:str SRU:int "
        "TransactionInformation:str TransactionInformationSettings:enum(ALLOWED|MANDATORY|NOTALLOWED) "
        "VATCode:str Year:int"
    ),
    "AccountSingleItem_OpeningQuantities": ("Balance:int Project:str"),
    "PredefinedAccount": ("@url:str Account:int(1000,9999) Name:str"),
    "LockedPeriod": ("EndDate:date"),
    "VoucherSeriesListItem": (
        "@url:str Approver:{VoucherSeriesListItem_Approver} Code:str(1,10) Description:str(,200) Manual:bool Year:int"
    ),
    "VoucherSeriesListItem_Approver": ("Id:int Name:str"),
    "VoucherSeries": (
        "@url:str Approver:{VoucherSeries_Approver} Code:str(1,10) Description:str(,200) Manual:bool "
        "NextVoucherNumber:int Year:int"
    ),
    "VoucherSeries_Approver": ("Id:int Name:str"),
    "VoucherListItem": (
        "@url:str ApprovalState:int Comments:str Description:str ReferenceNumber:str "
        "ReferenceType:enum(INVOICE|SUPPLIERINVOICE|INVOICEPAYMENT|SUPPLIERPAYMENT|MANUAL|CASHINVOICE|"
        "ACCRUAL) TransactionDate:date VoucherNumber:int VoucherSeries:str Year:int"
    ),
    "Voucher": (
        "@url:str ApprovalState:int Comments:str(,1000) CostCenter:str Description:str(1,200) Project:str "
        "ReferenceNumber:str ReferenceType:enum(INVOICE|SUPPLIERINVOICE|INVOICEPAYMENT|SUPPLIERPAYMENT|"
        "MANUAL|CASHINVOICE|ACCRUAL) TransactionDate:date VoucherNumber:int VoucherRows:[Voucher_VoucherRow] "
        "VoucherSeries:str Year:int"
    ),
    "Voucher_VoucherRow": (
        "Account:int(1000,9999) CostCenter:str Credit:num Debit:num Description:str Project:str Quantity:num "
        "Removed:bool TransactionInformation:str(,100)"
    ),
    "CustomerListItem": (
        "@url:str Address1:str(,1024) Address2:str(,1024) City:str(,1024) CustomerNumber:str(,1024) "
        "Email:str(,1024) Name:str(1,1024) OrganisationNumber:str(,30) Phone:str(,1024) ZipCode:str(,10)"
    ),
    "Customer": (
        "@url:str Active:bool Address1:str(1,1024) Address2:str(,1024) City:str(,1024) Comments:str(,1024) "
        "CostCenter:str Country:str CountryCode:str(2,2) Currency:str(3,3) CustomerNumber:str(,1024) "
        "DefaultDeliveryTypes:{Customer_DefaultDeliveryTypes} DefaultTemplates:{Customer_DefaultTemplates} "
        "DeliveryAddress1:str(,1024) DeliveryAddress2:str(,1024) DeliveryCity:str(,1024) "
        "DeliveryCountry:str(,1024) DeliveryCountryCode:str(2,2) DeliveryFax:str(,1024) "
        "DeliveryName:str(,1024) DeliveryPhone1:str(,1024) DeliveryPhone2:str(,1024) "
        "DeliveryZipCode:str(,10) Email:str(,1024) EmailInvoice:str(,1024) EmailInvoiceBCC:str(,1024) "
        "EmailInvoiceCC:str(,1024) EmailOffer:str(,1024) EmailOfferBCC:str(,1024) EmailOfferCC:str(,1024) "
        "EmailOrder:str(,1024) EmailOrderBCC:str(,1024) EmailOrderCC:str(,1024) ExternalReference:str(,1024) "
        "Fax:str(,1024) GLN:str(13,13) GLNDelivery:str(13,13) InvoiceAdministrationFee:str "
        "InvoiceDiscount:num InvoiceFreight:str InvoiceRemark:str(,1024) Name:str(1,1024) "
        "OrganisationNumber:str OurReference:str(,50) Phone1:str(,1024) Phone2:str(,1024) PriceList:str "
        "Project:str SalesAccount:str(4,4) ShowPriceVATIncluded:bool TermsOfDelivery:str TermsOfPayment:str "
        "Type:enum(PRIVATE|COMPANY) VATNumber:str VATType:enum(SEVAT|SEREVERSEDVAT|EUREVERSEDVAT|EUVAT|"
        "EXPORT) VisitingAddress:str(,128) VisitingCity:str(,128) VisitingCountry:str(,128) "
        "VisitingCountryCode:str(2,2) VisitingZipCode:str(,10) WWW:str(,128) WayOfDelivery:str "
        "YourReference:str(,50) ZipCode:str(,10)"
    ),
    "Customer_DefaultDeliveryTypes": (
        "Invoice:enum(PRINT|EMAIL|PRINTSERVICE) Offer:enum(PRINT|EMAIL|PRINTSERVICE) Order:enum(PRINT|EMAIL|"
        "PRINTSERVICE)"
    ),
    "Customer_DefaultTemplates": ("CashInvoice:str Invoice:str Offer:str Order:str"),
    "ArticleListItem": (
        "@url:str ArticleNumber:str(,50) Description:str(1,200) DisposableQuantity:str EAN:str(,30) "
        "Housework:bool PurchasePrice:str QuantityInStock:num ReservedQuantity:str SalesPrice:str "
        "StockPlace:str(,100) StockValue:str Unit:str VAT:str WebshopArticle:bool"
    ),
    "Article": (
        "@url:str Active:bool ArticleNumber:str(,50) Bulky:bool ConstructionAccount:int(1000,99999) "
        "CostCalculationMethod:str DefaultStockLocation:str DefaultStockPoint:str Depth:int(0,999999999) "
        "Description:str(1,200) DirectCost:num DisposableQuantity:num EAN:str(,30) EUAccount:int(1000,99999) "
        "EUVATAccount:int(1000,99999) Expired:bool ExportAccount:int(1000,99999) FreightCost:num "
        "Height:int(0,999999999) Housework:bool HouseworkType:enum(CONSTRUCTION|ELECTRICITY|GLASSMETALWORK|"
        "GROUNDDRAINAGEWORK|MASONRY|PAINTINGWALLPAPERING|HVAC|CLEANING|TEXTILECLOTHING|COOKING|SNOWPLOWING|"
        "GARDENING|BABYSITTING|OTHERCARE|TUTORING|FURNISHING|HOMEMAINTENANCE|TRANSPORTATIONSERVICES|"
        "WASHINGANDCAREOFCLOTHING|SOLARCELLS|STORAGESELFPRODUCEDELECTRICITY|CHARGINGSTATIONELECTRICVEHICLE|"
        "EMPTYHOUSEWORK|OTHERCOSTS) Manufacturer:str(,50) ManufacturerArticleNumber:str(,50) "
        "Note:str(,10000) OtherCost:num PurchaseAccount:int(1000,99999) PurchasePrice:num "
        "QuantityInStock:num ReservedQuantity:num SalesAccount:int(1000,99999) SalesPrice:num "
        "StockAccount:int StockChangeAccount:int StockGoods:bool StockPlace:str(,100) StockValue:num "
        "StockWarning:num SupplierName:str SupplierNumber:str Type:enum(STOCK|SERVICE) Unit:str VAT:num "
        "WebshopArticle:bool Weight:int(0,999999999) Width:int(0,999999999)"
    ),
    "SupplierListItem": (
        "@url:str Active:bool Address1:str Address2:str BG:str BIC:str BankAccountNumber:str City:str(,1024) "
        "CostCenter:str CountryCode:str(,2) Currency:str(,3) DisablePaymentFile:bool Email:str IBAN:str "
        "Name:str(1,1024) OrganisationNumber:str PG:str Phone:str PreDefinedAccount:str(4,4) Project:str "
        "SupplierNumber:str TermsOfPayment:str ZipCode:str"
    ),
    "Supplier": (
        "@url:str Active:bool Address1:str Address2:str BG:str BIC:str Bank:str BankAccountNumber:str "
        "BranchCode:str City:str(,1024) ClearingNumber:str Comments:str(,1024) CostCenter:str Country:str "
        "CountryCode:str(,2) Currency:str(,3) DisablePaymentFile:bool Email:str Fax:str IBAN:str "
        "Name:str(1,1024) OrganisationNumber:str OurCustomerNumber:str OurReference:str PG:str "
        "Phone1:str(,1024) Phone2:str(,1024) PreDefinedAccount:str(4,4) Project:str SupplierNumber:str "
        "TermsOfPayment:str VATNumber:str VATType:str VisitingAddress:str VisitingCity:str "
        "VisitingCountry:str VisitingCountryCode:str VisitingZipCode:str WWW:str WorkPlace:str "
        "YourReference:str ZipCode:str"
    ),
    "InvoiceListItem": (
        "@url:str Balance:num Booked:bool Cancelled:bool CostCenter:str Currency:str CurrencyRate:num "
        "CurrencyUnit:num CustomerName:str CustomerNumber:str DocumentNumber:str DueDate:date "
        "ExternalInvoiceReference1:str ExternalInvoiceReference2:str FinalPayDate:date InvoiceDate:date "
        "InvoiceType:enum(INVOICE|AGREEMENTINVOICE|INTRESTINVOICE|SUMMARYINVOICE|CASHINVOICE) NoxFinans:bool "
        "OCR:str Project:str Sent:bool TermsOfPayment:str Total:num VoucherNumber:int VoucherSeries:str "
        "VoucherYear:int WayOfDelivery:str"
    ),
    "Invoice": (
        "@url:str @urlTaxReductionList:str AccountingMethod:enum(ACCRUAL|CASH) Address1:str Address2:str "
        "AdministrationFee:num AdministrationFeeVAT:num Balance:num BasisTaxReduction:num Booked:bool "
        "Cancelled:bool City:str(,1024) Comments:str(,1024) ContractReference:int ContributionPercent:num "
        "ContributionValue:num CostCenter:str Country:str Credit:str CreditInvoiceReference:str Currency:str "
        "CurrencyRate:num CurrencyUnit:int CustomerName:str CustomerNumber:str DeliveryAddress1:str(,1024) "
        "DeliveryAddress2:str(,1024) DeliveryCity:str(,1024) DeliveryCountry:str DeliveryDate:date "
        "DeliveryName:str(,1024) DeliveryZipCode:str(,1024) DocumentNumber:str DueDate:date "
        "EDIInformation:{Invoice_EDIInformation} EUQuarterlyReport:bool "
        "EmailInformation:{Invoice_EmailInformation} ExternalInvoiceReference1:str(,80) "
        "ExternalInvoiceReference2:str(,80) FinalPayDate:date Freight:num FreightVAT:num Gross:num "
        "HouseWork:bool InvoiceDate:date InvoicePeriodEnd:date InvoicePeriodReference:str "
        "InvoicePeriodStart:date InvoiceRows:[Invoice_InvoiceRow] InvoiceType:enum(INVOICE|AGREEMENTINVOICE|"
        "INTRESTINVOICE|SUMMARYINVOICE|CASHINVOICE) Labels:[Invoice_Label] Language:enum(SV|EN) "
        "LastRemindDate:date Net:num NotCompleted:bool NoxFinans:bool OCR:str OfferReference:str "
        "OrderReference:str OrganisationNumber:str OurReference:str(,50) OutboundDate:date "
        "PaymentWay:enum(CASH|CARD|AG) Phone1:str(,1024) Phone2:str(,1024) PriceList:str PrintTemplate:str "
        "Project:str Remarks:str(,1024) Reminders:int RoundOff:num Sent:bool TaxReduction:int "
        "TaxReductionType:enum(none|rot|rut|green) TermsOfDelivery:str TermsOfPayment:str "
        "TimeBasisReference:int Total:num TotalToPay:num TotalVAT:num VATIncluded:bool VoucherNumber:int "
        "VoucherSeries:str VoucherYear:int WarehouseReady:bool WayOfDelivery:str YourOrderNumber:str(,75) "
        "YourReference:str(,50) ZipCode:str(,1024)"
    ),
    "Invoice_EDIInformation": (
        "EDIGlobalLocationNumber:str(,13) EDIGlobalLocationNumberDelivery:str(,13) EDIInvoiceExtra1:str "
        "EDIInvoiceExtra2:str EDIOurElectronicReference:str EDIStatus:str EDIYourElectronicReference:str"
    ),
    "Invoice_EmailInformation": (
        "EmailAddressBCC:str EmailAddressCC:str EmailAddressFrom:str EmailAddressTo:str "
        "EmailBody:str(,20000) EmailSubject:str(,100)"
    ),
    "Invoice_InvoiceRow": (
        "AccountNumber:int(1000,9999) ArticleNumber:str ContributionPercent:str ContributionValue:str "
        "CostCenter:str DeliveredQuantity:str Description:str(,255) Discount:num DiscountType:enum(AMOUNT|"
        "PERCENT) HouseWork:bool HouseWorkHoursToReport:int(,999) HouseWorkType:enum(CONSTRUCTION|"
        "ELECTRICITY|GLASSMETALWORK|GROUNDDRAINAGEWORK|MASONRY|PAINTINGWALLPAPERING|HVAC|"
        "MAJORAPPLIANCEREPAIR|MOVINGSERVICES|ITSERVICES|CLEANING|TEXTILECLOTHING|SNOWPLOWING|GARDENING|"
        "BABYSITTING|OTHERCARE|OTHERCOSTS|SOLARCELLS|STORAGESELFPRODUCEDELECTRICITY|"
        "CHARGINGSTATIONELECTRICVEHICLE|HOMEMAINTENANCE|FURNISHING|TRANSPORTATIONSERVICES|"
        "WASHINGANDCAREOFCLOTHING) Price:num PriceExcludingVAT:num Project:str RowId:int StockPointCode:str "
        "Total:num TotalExcludingVAT:num Unit:str VAT:int VATCode:str"
    ),
    "Invoice_Label": ("Id:int"),
    "InvoicePayload": (
        "Address1:str Address2:str AdministrationFee:num City:str(,1024) Comments:str(,1024) CostCenter:str "
        "Country:str CreditInvoiceReference:str Currency:str CurrencyRate:num CurrencyUnit:int "
        "CustomerName:str CustomerNumber:str DeliveryAddress1:str(,1024) DeliveryAddress2:str(,1024) "
        "DeliveryCity:str(,1024) DeliveryCountry:str DeliveryDate:date DeliveryName:str(,1024) "
        "DeliveryZipCode:str(,1024) DocumentNumber:str DueDate:date "
        "EDIInformation:{InvoicePayload_EDIInformation} EUQuarterlyReport:bool "
        "EmailInformation:{InvoicePayload_EmailInformation} ExternalInvoiceReference1:str(,80) "
        "ExternalInvoiceReference2:str(,80) Freight:num InvoiceDate:date "
        "InvoiceRows:[InvoicePayload_InvoiceRow] InvoiceType:enum(INVOICE|AGREEMENTINVOICE|INTRESTINVOICE|"
        "SUMMARYINVOICE|CASHINVOICE) Labels:[InvoicePayload_Label] Language:enum(SV|EN) NotCompleted:bool "
        "OCR:str OurReference:str(,50) OutboundDate:date PaymentWay:str Phone1:str(,1024) Phone2:str(,1024) "
        "PriceList:str PrintTemplate:str Project:str Remarks:str(,1024) TaxReductionType:enum(none|rot|rut|"
        "green) TermsOfDelivery:str TermsOfPayment:str VATIncluded:bool WayOfDelivery:str "
        "YourOrderNumber:str(,75) YourReference:str(,50) ZipCode:str(,1024)"
    ),
    "InvoicePayload_EDIInformation": (
        "EDIGlobalLocationNumber:str(,13) EDIGlobalLocationNumberDelivery:str(,13) EDIInvoiceExtra1:str "
        "EDIInvoiceExtra2:str EDIOurElectronicReference:str EDIYourElectronicReference:str"
    ),
    "InvoicePayload_EmailInformation": (
        "EmailAddressBCC:str EmailAddressCC:str EmailAddressFrom:str EmailAddressTo:str "
        "EmailBody:str(,20000) EmailSubject:str(,100)"
    ),
    "InvoicePayload_InvoiceRow": (
        "AccountNumber:int(1000,9999) ArticleNumber:str CostCenter:str DeliveredQuantity:str Description:str "
        "Discount:num DiscountType:enum(AMOUNT|PERCENT) HouseWork:bool HouseWorkHoursToReport:int(,999) "
        "HouseWorkType:enum(CONSTRUCTION|ELECTRICITY|GLASSMETALWORK|GROUNDDRAINAGEWORK|MASONRY|"
        "PAINTINGWALLPAPERING|HVAC|MAJORAPPLIANCEREPAIR|MOVINGSERVICES|ITSERVICES|CLEANING|TEXTILECLOTHING|"
        "SNOWPLOWING|GARDENING|BABYSITTING|OTHERCARE|OTHERCOSTS|SOLARCELLS|STORAGESELFPRODUCEDELECTRICITY|"
        "CHARGINGSTATIONELECTRICVEHICLE|HOMEMAINTENANCE|FURNISHING|TRANSPORTATIONSERVICES|"
        "WASHINGANDCAREOFCLOTHING) Price:num Project:str RowId:int StockPointCode:str Unit:str VAT:int "
        "VATCode:str"
    ),
    "InvoicePayload_Label": ("Id:int"),
    "SupplierInvoiceListItem": (
        "@url:str AuthorizerName:str Balance:str Booked:bool Cancel:bool CostCenter:str Credit:bool "
        "Currency:str CurrencyRate:str CurrencyUnit:num DueDate:date ExternalInvoiceNumber:str "
        "ExternalInvoiceSeries:str FinalPayDate:date GivenNumber:str InvoiceDate:date InvoiceNumber:str "
        "Project:str SupplierName:str SupplierNumber:str Total:str Vouchers:[SupplierInvoiceListItem_Voucher]"
    ),
    "SupplierInvoiceListItem_Voucher": ("Number:int ReferenceType:str Series:str Year:int"),
    "SupplierInvoice": (
        "@url:str AccountingMethod:enum(ACCRUAL|CASH) AdministrationFee:str Balance:str Booked:bool "
        "Cancelled:bool Comments:str(,1000) CostCenter:str Credit:bool CreditReference:int Currency:str "
        "CurrencyRate:str CurrencyUnit:num DisablePaymentFile:bool DueDate:date ExternalInvoiceNumber:str "
        "ExternalInvoiceSeries:str FinalPayDate:date Freight:str GivenNumber:str InvoiceDate:date "
        "InvoiceNumber:str(,64) OCR:str OurReference:str(,50) PaymentPending:bool Project:str "
        "RoundOffValue:str SalesType:enum(STOCK|SERVICE) "
        "SupplierInvoiceRows:[SupplierInvoice_SupplierInvoiceRow] SupplierName:str SupplierNumber:str "
        "Total:str VAT:str VATType:enum(NORMAL|EUINTERNAL|REVERSE) VoucherNumber:int VoucherSeries:str "
        "VoucherYear:int Vouchers:[SupplierInvoice_Voucher] YourReference:str(,50)"
    ),
    "SupplierInvoice_SupplierInvoiceRow": (
        "Account:int(1000,9999) AccountDescription:str ArticleNumber:str Code:enum(TOT|VAT|FRT|AFE|ROV|CND|"
        "CNC|PRD|PRC|SRD|SRC|PRE|GWB|ACC) CostCenter:str Credit:num CreditCurrency:num Debit:num "
        "DebitCurrency:num ItemDescription:str Price:num Project:str Quantity:int StockLocationCode:str "
        "StockPointCode:str Total:num TransactionInformation:str(,100) Unit:str"
    ),
    "SupplierInvoice_Voucher": ("Number:int ReferenceType:str Series:str Year:int"),
    "OrderListItem": (
        "@url:str Cancelled:bool Currency:str(,3) CustomerName:str CustomerNumber:str DeliveryDate:date "
        "DocumentNumber:str ExternalInvoiceReference1:str ExternalInvoiceReference2:str OrderDate:date "
        "OrderType:str Project:str Sent:bool Total:num"
    ),
    "Order": (
        "@url:str @urlTaxReductionList:str Address1:str Address2:str AdministrationFee:num "
        "AdministrationFeeVAT:num BasisTaxReduction:num Cancelled:bool City:str Comments:str "
        "ContributionPercent:num ContributionValue:num CopyRemarks:bool CostCenter:str Country:str "
        "Currency:str(,3) CurrencyRate:num CurrencyUnit:num CustomerName:str CustomerNumber:str "
        "DeliveryAddress1:str DeliveryAddress2:str DeliveryCity:str DeliveryCountry:str DeliveryDate:date "
        "DeliveryName:str DeliveryState:enum(registration|reservation|delivery) DeliveryZipCode:str "
        "DocumentNumber:str EmailInformation:{Order_EmailInformation} ExternalInvoiceReference1:str "
        "ExternalInvoiceReference2:str Freight:num FreightVAT:num Gross:num HouseWork:bool "
        "InvoiceReference:str Labels:[Order_Label] Language:str Net:num NotCompleted:bool OfferReference:str "
        "OrderDate:date OrderRows:[Order_OrderRow] OrderType:str OrganisationNumber:str "
        "OurReference:str(,50) OutboundDate:date Phone1:str Phone2:str PriceList:str PrintTemplate:str "
        "Project:str Remarks:str(,1024) RoundOff:num Sent:bool StockPointCode:str StockPointId:str "
        "TaxReduction:num TaxReductionType:enum(none|rot|rut|green) TermsOfDelivery:str TermsOfPayment:str "
        "TimeBasisReference:int Total:num TotalToPay:num TotalVAT:num VATIncluded:bool WarehouseReady:bool "
        "WayOfDelivery:str YourOrderNumber:str(,75) YourReference:str(,50) ZipCode:str"
    ),
    "Order_EmailInformation": (
        "EmailAddressBCC:str EmailAddressCC:str EmailAddressFrom:str EmailAddressTo:str EmailBody:str EmailSubject:str"
    ),
    "Order_Label": ("Id:int"),
    "Order_OrderRow": (
        "AccountNumber:int ArticleNumber:str ContributionPercent:str ContributionValue:str CostCenter:str "
        "DeliveredQuantity:str Description:str Discount:num DiscountType:enum(AMOUNT|PERCENT) HouseWork:bool "
        "HouseWorkHoursToReport:int HouseWorkType:enum(CONSTRUCTION|ELECTRICITY|GLASSMETALWORK|"
        "GROUNDDRAINAGEWORK|MASONRY|PAINTINGWALLPAPERING|MOVINGSERVICES|ITSERVICES|CLEANING|TEXTILECLOTHING|"
        "SNOWPLOWING|GARDENING|BABYSITTING|OTHERCARE|OTHERCOSTS) OrderedQuantity:str Price:num Project:str "
        "ReservedQuantity:str RowId:int StockPointCode:str StockPointId:str Total:num Unit:str VAT:num "
        "VATCode:str"
    ),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "FinancialYear": ("FromDate", "ToDate"),
    "AccountListItem": ("Description", "Number"),
    "AccountSingleItem": ("Description", "Number"),
    "PredefinedAccount": ("Account",),
    "VoucherSeriesListItem": ("Code",),
    "VoucherSeries": ("Code",),
    "Voucher": ("Description", "TransactionDate", "VoucherSeries", "Year"),
    "Voucher_VoucherRow": ("Account",),
    "CustomerListItem": ("Name",),
    "Customer": ("Name",),
    "ArticleListItem": ("Description",),
    "Article": ("Description",),
    "SupplierListItem": ("Name",),
    "Supplier": ("Name",),
    "Invoice": ("CustomerNumber",),
    "InvoicePayload": ("CustomerNumber",),
    "SupplierInvoiceListItem": ("SupplierNumber",),
    "SupplierInvoice": ("SupplierNumber",),
    "OrderListItem": ("CustomerNumber",),
    "Order": ("CustomerNumber",),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # str, int, num, bool, date, enum, obj, list
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    ref: str = ""


_FIELD = re.compile(r"^([@\w]+):(\w+|\{\w+\}|\[\w+\])(?:\(([^)]*)\))?$")


def _parse_field(token: str) -> Field:
    m = _FIELD.match(token)
    if not m:
        raise ValueError(f"bad field spec {token!r}")
    name, kind, args = m.group(1), m.group(2), m.group(3)
    if kind.startswith("{"):
        return Field(name, "obj", ref=kind[1:-1])
    if kind.startswith("["):
        return Field(name, "list", ref=kind[1:-1])
    if kind == "enum":
        return Field(name, "enum", choices=tuple((args or "").split("|")))
    lo: int | None = None
    hi: int | None = None
    if args is not None:
        a, b = args.split(",")
        lo = int(a) if a else None
        hi = int(b) if b else None
    return Field(name, kind, min=lo, max=hi)


SCHEMAS: dict[str, dict[str, Field]] = {
    name: {f.name: f for f in map(_parse_field, text.split())} for name, text in _SCHEMA_TEXT.items()
}
REQUIRED: dict[str, tuple[str, ...]] = _REQUIRED


def money(value: Decimal | int) -> Decimal:
    """An amount with exactly two decimals (öre), rounded half up (away from zero) like Fortnox."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


# -- output --------------------------------------------------------------------------------------------------------


def render(schema: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as Fortnox sends it: only the schema's fields, each converted to its declared type."""
    fields = SCHEMAS[schema]
    out: dict[str, Any] = {}
    for name, field in fields.items():
        value = record.get(name)
        if value is None:
            continue
        converted = _render_value(field, value)
        if converted is not None:
            out[name] = converted
    return out


def _render_value(field: Field, value: Any) -> Any:
    kind = field.kind
    if kind == "str":
        text = _decimal_text(value) if isinstance(value, Decimal) else str(value)
        if field.min and len(text) < field.min:
            return None
        return text[: field.max] if field.max else text
    if kind == "enum":
        text = str(value)
        return text if text in field.choices else None
    if kind == "date":
        text = value.isoformat() if isinstance(value, date) else str(value)
        return text or None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, Decimal | str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                return None
            if number != number.to_integral_value():
                return None
            return int(number)
        return int(value)
    if kind == "num":
        if isinstance(value, bool):
            return None
        if isinstance(value, int | Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if kind == "obj":
        return render(field.ref, value) if isinstance(value, Mapping) else None
    if kind == "list":
        return [render(field.ref, item) for item in value if isinstance(item, Mapping)]
    raise AssertionError(f"unknown field kind {kind}")


# -- input ---------------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse(schema: str, data: Any, *, where: str = "") -> dict[str, Any]:
    """Check and coerce one object of a request body. Unknown fields are refused (2001399), `null` means unset."""
    if not isinstance(data, Mapping):
        raise ApiError(400, errors.BAD_BODY, f"Ingen eller felaktig typ av data. ({where or schema})")
    fields = SCHEMAS[schema]
    out: dict[str, Any] = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            raise ApiError(400, errors.UNKNOWN_FIELD, f"Felaktigt fältnamn ({name})")
        if value is None:
            continue
        out[name] = _parse_value(field, value)
    return out


def _parse_value(field: Field, value: Any) -> Any:
    name = field.name
    kind = field.kind
    if kind in ("str", "enum", "date"):
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise ApiError(400, errors.NOT_ALPHANUMERIC, f"Värdet måste vara alfanumeriskt ({name})")
        text = _decimal_text(value) if isinstance(value, Decimal) else str(value)
        if _CONTROL.search(text):
            raise ApiError(400, errors.ILLEGAL_CHARACTERS, f"Värdet innehåller ej tillåtna tecken. ({name})")
        if kind == "enum":
            if text not in field.choices:
                raise ApiError(400, errors.INVALID_VALUE, f"Ogiltigt värde för fältet {name}: {text}")
            return text
        if kind == "date":
            return _parse_date(name, text)
        if field.max is not None and len(text) > field.max:
            raise ApiError(400, errors.TOO_LONG, f"Fältet {name} får innehålla högst {field.max} tecken")
        return text
    if kind == "int":
        number = to_number(name, value)
        if number != number.to_integral_value():
            raise ApiError(400, errors.NOT_NUMERIC, f"Värdet måste vara numeriskt ({name})")
        result = int(number)
        if (field.min is not None and result < field.min) or (field.max is not None and result > field.max):
            raise ApiError(400, errors.INVALID_VALUE, f"Ogiltigt värde för fältet {name}: {result}")
        return result
    if kind == "num":
        return to_number(name, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ApiError(400, errors.NOT_BOOLEAN, f"Värdet måste vara en boolean ({name})")
    if kind == "obj":
        return parse(field.ref, value, where=name)
    if kind == "list":
        if not isinstance(value, list):
            raise ApiError(400, errors.BAD_BODY, f"Ingen eller felaktig typ av data. ({name})")
        return [parse(field.ref, item, where=name) for item in value]
    raise AssertionError(f"unknown field kind {kind}")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(name: str, text: str) -> str | None:
    if text == "":
        return None
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ApiError(400, errors.INVALID_VALUE, f"Ogiltigt datum i fältet {name}: {text}")


def to_number(name: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ApiError(400, errors.NOT_NUMERIC, f"Värdet måste vara numeriskt ({name})")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite():
            return number
    raise ApiError(400, errors.NOT_NUMERIC, f"Värdet måste vara numeriskt ({name})")


def decimal_of(value: Any, default: Decimal = Decimal(0)) -> Decimal:
    """A stored value (Decimal, int or numeric string such as DeliveredQuantity) as Decimal."""
    if value is None or value == "":
        return default
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))
