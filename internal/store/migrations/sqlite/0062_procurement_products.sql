-- Procurement ↔ inventory: commitments after award refer to the inventory's product (product_id, set at
-- award; no foreign key, the products table is another module's: deleting a product clears the link).
-- The product page lists its commitments through this index. Commitments of device tenders awarded
-- before this migration are linked where the inventory already has the product by name.
CREATE INDEX procurement_commitments_org_product ON procurement_commitments(org_id, product_id);
UPDATE procurement_commitments SET product_id = (
    SELECT p.id FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id AND m.org_id = p.org_id
    WHERE p.org_id = procurement_commitments.org_id AND p.name_key = LOWER(TRIM(procurement_commitments.product))
      AND m.name_key = LOWER(TRIM(procurement_commitments.manufacturer))
    ORDER BY p.id LIMIT 1)
WHERE product_id IS NULL AND product <> ''
  AND tender_id IN (SELECT id FROM tenders WHERE tenders.org_id = procurement_commitments.org_id AND kind = 'device');
